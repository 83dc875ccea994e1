/* SPDX-License-Identifier: MIT */
/*
 * Connections: one per socket client or guest ring.  A connection frames
 * incoming bytes into messages, hands each to the dispatcher, queues the
 * replies and watch events, and owns the caller's watches and open
 * transactions.  How bytes move is the transport's business (conn_ops).
 *
 * Lifetime: conn_close() tears a connection down at once (watches,
 * transactions, queued output) but the struct stays until the daemon's safe
 * point, so a pointer held during one loop round never dangles.
 */
#ifndef XS_DAEMON_CONN_H
#define XS_DAEMON_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "acct.h"
#include "acl.h"
#include "xenstore/wire.h"

struct conn;
struct daemon;
struct watch;
struct txn;

/* What a transport provides. */
struct conn_ops {
	const char *name;
	/* Read up to len bytes: >0 bytes read, 0 end of stream, -EAGAIN, -errno. */
	ssize_t (*recv)(struct conn *c, void *buf, size_t len);
	/* Write: bytes written, -EAGAIN, or -errno. */
	ssize_t (*sendv)(struct conn *c, const struct iovec *iov, int iovcnt);
	/* Ask to hear when readable / writable. */
	void (*want)(struct conn *c, bool read, bool write);
	/* Release the transport (fd, ring mapping) when the connection ends. */
	void (*close)(struct conn *c);
	/* Free transport state, at the safe point (may be NULL). */
	void (*destroy)(struct conn *c);
	/* Tell the peer why it is being cut off (XS_ERROR_*; may be NULL). */
	void (*error)(struct conn *c, uint32_t code);
};

struct outbuf {
	struct outbuf *next;
	uint32_t len, off;	/* bytes in data, bytes already sent */
	bool is_event;
	uint64_t queued_ms;	/* monotonic time it was queued */
	char data[];		/* header + payload */
};

#define CONN_RBUF_SIZE (2 * (XS_HDR_SIZE + XS_PAYLOAD_MAX))

struct conn {
	struct conn *next, *prev;	/* daemon's list */
	struct conn *busy_next;		/* daemon's busy list */
	bool busy;
	struct conn *flush_next;	/* daemon's list of output to send */
	bool flush_pending;
	struct conn *read_next;		/* daemon's list of transports to read */
	bool read_pending;
	struct daemon *d;
	const struct conn_ops *ops;
	void *tdata;			/* transport state */
	uint32_t id;			/* for logs and traces */
	struct caller caller;
	bool dead;
	bool paused;			/* not reading: output backlog */
	bool quota_wait;		/* not serving: acct_must_wait() */
	struct usage use;		/* what it costs its domain (acct.h) */
	/* input: bytes received and not yet dispatched */
	uint32_t rlen;
	char rbuf[CONN_RBUF_SIZE];
	/* output */
	struct outbuf *out_head, *out_tail;
	size_t out_bytes;
	uint32_t out_events;		/* watch events queued */
	bool event_drop_logged;
	/* state owned for the caller */
	struct watch *watches;
	uint32_t nwatches;
	struct txn *txns;
	uint32_t ntxns;
	uint32_t next_tx_id;
};

/* A new connection for caller, added to the daemon; NULL on -ENOMEM. */
struct conn *conn_new(struct daemon *d, const struct conn_ops *ops, void *tdata,
		      const struct caller *who);

/* The transport says bytes can be read / written. */
void conn_on_readable(struct conn *c);
void conn_on_writable(struct conn *c);

/* Dispatch up to budget buffered messages; true if more are waiting. */
bool conn_process(struct conn *c, unsigned int budget);

/* Queue one message; -ENOMEM, or -E2BIG for a payload over the limit. */
int conn_queue(struct conn *c, uint32_t type, uint32_t req_id, uint32_t tx_id,
	       const void *payload, size_t len, bool is_event);

/*
 * Queue bytes saved from an earlier process (live update): one whole
 * message, or the unsent rest of one.  0, -EINVAL or -ENOMEM.
 */
int conn_restore_output(struct conn *c, const void *data, size_t len,
			bool is_event);

/* Queue a watch event unless over the per-connection bound (then dropped). */
void conn_queue_event(struct conn *c, const char *path, const char *token);

/* Try to send what is queued. */
void conn_flush(struct conn *c);

/*
 * Read c's transport in the next round although no fd said so (rings,
 * whose data may wait while the connection was paused).
 */
void conn_request_read(struct conn *c);

/* Read the transports of every connection that asked for it. */
void conn_read_requested(struct daemon *d);

/* Queue c for a turn at processing its buffered input. */
void conn_mark_busy(struct conn *c);

/* Send queued output of every connection that has some. */
void conn_flush_all(struct daemon *d);

/*
 * Drop watch events queued before cutoff_ms that the reader has not
 * started to receive (the reference's watch-event timeout).
 */
void conn_expire_events(struct conn *c, uint64_t cutoff_ms);

/* Tear down now; freed later by conn_reap(). */
void conn_close(struct conn *c, const char *why);

/* Free connections closed since the last call. */
void conn_reap(struct daemon *d);

/* A connection waiting for its domain to get under a quota: serve it
 * again if it no longer has to wait. */
void conn_quota_recheck(struct conn *c);

/* Find an open transaction by id. */
struct txn *conn_find_txn(const struct conn *c, uint32_t id);
/* Drop every transaction (RESET_WATCHES, close). */
void conn_drop_txns(struct conn *c);

/* t, unlinked from c's list by the caller, ends: release and free it. */
void conn_txn_freed(struct conn *c, struct txn *t);

/* Charge c's domain for what t has grown (or shrunk) to since last time. */
void conn_txn_recharge(struct conn *c, struct txn *t);

/* Remove every watch of c (RESET_WATCHES, close). */
void conn_remove_watches(struct conn *c);

#endif
