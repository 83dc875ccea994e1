/* SPDX-License-Identifier: MIT */
/*
 * Raw-protocol test helpers: start a real daemon on a private socket and
 * talk to it byte by byte, so tests can assert exact replies and send what
 * no well-behaved library would.
 */
#ifndef XS_TESTS_PROTO_H
#define XS_TESTS_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "xenstore/wire.h"

struct daemon_proc {
	pid_t pid;
	char dir[64];
	char sock[96];
};

/* Start build/bin/xenstored (or $XENSTORED_BIN) and wait until it listens. */
int daemon_start(struct daemon_proc *dp, const char *extra_arg);
/*
 * SIGTERM it and return its exit status: 0 when it exited cleanly and
 * removed its socket, -1 if it left the socket or had to be killed.
 */
int daemon_stop(struct daemon_proc *dp);
/* True while the daemon process is still running. */
bool daemon_alive(const struct daemon_proc *dp);

int xconn(const struct daemon_proc *dp);
/* Send raw bytes; 0 or -1. */
int xsend_raw(int fd, const void *buf, size_t len);
int xsend(int fd, uint32_t type, uint32_t req_id, uint32_t tx_id,
	  const void *payload, size_t len);

struct xmsg {
	struct xs_msg_hdr hdr;
	char payload[XS_PAYLOAD_MAX + 1]; /* NUL added after len bytes */
};

/* Receive one message within timeout_ms: 1 got, 0 EOF, -1 timeout/error. */
int xrecv(int fd, struct xmsg *m, int timeout_ms);

/*
 * Send a request and return its reply, skipping (and counting into
 * *events, if given) watch events that come first.
 */
int xreq(int fd, uint32_t type, uint32_t tx_id, const void *payload,
	 size_t len, struct xmsg *reply);

/* Request with a payload given as a C string with embedded NULs: "a\0b\0". */
#define XREQ(fd, type, tx, lit, reply) \
	xreq((fd), (type), (tx), (lit), sizeof(lit) - 1, (reply))

/*
 * Watch events received, oldest first, as "path token|path token|": those
 * that arrived while xreq() waited for replies, then any up to the reply
 * of a sentinel request sent now.
 */
struct events {
	char text[8192];
	unsigned int count;
};
void collect_events(int fd, struct events *ev);
/* Discard stashed events of a connection about to be closed. */
void forget_events(int fd);

/* Connect and RESTRICT the connection to domid (unprivileged). */
int xconn_as(const struct daemon_proc *dp, unsigned int domid);

#endif
