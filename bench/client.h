/* SPDX-License-Identifier: MIT */
/*
 * Minimal XenStore client for the load generator: one Unix-socket
 * connection, one request in flight, replies checked against the request.
 * It deliberately does not use the project's client library, so that the
 * benchmark measures the daemon and not the library, works before the
 * library exists, and can point at any daemon (ours, Xen's C xenstored,
 * oxenstored) without re-linking.
 */
#ifndef XSBENCH_CLIENT_H
#define XSBENCH_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "xenstore/wire.h"

/* Outcome of a request; every failure is one error in the statistics. */
enum xsb_status {
	XSB_OK = 0,
	XSB_ERR_XS = -1,    /* the daemon answered ERROR; name in the reply */
	XSB_ERR_REPLY = -2, /* reply does not match the request (id, type) */
	XSB_ERR_IO = -3,    /* socket error, timeout, EOF or bad framing:
			       the connection has been closed (fd -1) */
};

/* A reply as received: header plus payload, NUL-terminated for convenience. */
struct xsb_reply {
	struct xs_msg_hdr hdr;
	char data[XS_PAYLOAD_MAX + 1];
};

/*
 * Called for each WATCH_EVENT that arrives while a reply is awaited, so that
 * watch scenarios can count or timestamp deliveries.  payload is
 * "path\0token\0".
 */
typedef void (*xsb_event_fn)(void *arg, const char *payload, size_t len);

/* Large enough for two maximal messages, so one recv() usually suffices. */
#define XSB_RBUF_SIZE (2 * (XS_HDR_SIZE + XS_PAYLOAD_MAX))

struct xsb_conn {
	int fd;
	unsigned int timeout_ms; /* per request, bounds every wait */
	uint32_t next_req_id;
	uint64_t events;	 /* WATCH_EVENTs seen while waiting */
	xsb_event_fn on_event;	 /* optional */
	void *event_arg;
	size_t rpos, rlen;	 /* unread bytes are rbuf[rpos..rlen) */
	char rbuf[XSB_RBUF_SIZE];
};

/*
 * Connect to the daemon's Unix socket.  timeout_ms bounds connect, each
 * send and each reply.  Returns 0 or a negative errno.
 */
int xsb_connect(struct xsb_conn *c, const char *path, unsigned int timeout_ms);
void xsb_close(struct xsb_conn *c);

/* Change the per-request timeout of an open connection. */
void xsb_set_timeout(struct xsb_conn *c, unsigned int timeout_ms);

/*
 * Send one request with a payload assembled from up to two parts (e.g. path
 * with its NUL, then a value without one) and wait for its reply, skipping
 * watch events.  Checks that the reply echoes req_id and tx_id and has the
 * request's type; an ERROR reply gives XSB_ERR_XS with reply->data holding
 * the error name.
 */
enum xsb_status xsb_call2(struct xsb_conn *c, uint32_t type, uint32_t tx_id,
			  const void *p1, size_t n1, const void *p2, size_t n2,
			  struct xsb_reply *reply);

/*
 * Wait up to timeout_ms for the next message of any kind (reply or
 * WATCH_EVENT), for threads that only listen, e.g. watchers.  Returns 1 with
 * the message in msg, 0 on timeout (the stream is intact: call again), -1 on
 * EOF or error (the connection has been closed).  Not to be mixed with a
 * request in flight on the same connection from another thread.
 */
int xsb_next_msg(struct xsb_conn *c, struct xsb_reply *msg);

/* The common case: a payload made of one NUL-terminated string. */
enum xsb_status xsb_call_str(struct xsb_conn *c, uint32_t type,
			     uint32_t tx_id, const char *arg,
			     struct xsb_reply *reply);

/* WRITE path=value (value is not NUL-terminated on the wire). */
enum xsb_status xsb_write(struct xsb_conn *c, uint32_t tx_id,
			  const char *path, const void *value, size_t len,
			  struct xsb_reply *reply);

/* True if the reply payload is exactly "OK\0". */
int xsb_reply_is_ok(const struct xsb_reply *reply);

/* Short human-readable text for a status (and the XenStore error name). */
const char *xsb_status_text(enum xsb_status st, const struct xsb_reply *reply);

#endif
