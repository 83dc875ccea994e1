/* SPDX-License-Identifier: MIT */
/*
 * The daemon's whole state as a byte stream, in the record format of Xen's
 * xenstore migration stream (docs/designs/xenstore-migration.md, version
 * 2): a header, then typed records, each padded to 8 bytes, ending with
 * END.  Live update writes it before exec()ing the new binary, which reads
 * it back; `xenstore-control state-save FILE` dumps it and
 * `xenstored --restore FILE` loads the nodes, domains and quotas of one.
 *
 * State Xen's records have no room for (node generations, the caller of a
 * connection, the overlay, log and snapshot of an open transaction, the
 * history those snapshots still read, the live-update request to answer)
 * travels in project records whose type has the top bit set; Xen numbers
 * its types upwards from 0.  docs/live-update.md lists every record.
 *
 * Reads the daemon through its modules' accessors; owns nothing after a
 * call returns.
 */
#ifndef XS_DAEMON_STREAM_H
#define XS_DAEMON_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct daemon;
struct conn;

#define STREAM_IDENT 0x78656e73746f7265ull /* "xenstore" */
#define STREAM_VERSION 2u
#define STREAM_FLAG_BIG_ENDIAN 1u
#define STREAM_ALIGN 8u

enum stream_rec_type {
	/* Xen's record types */
	REC_END = 0,
	REC_GLOBAL_DATA = 1,
	REC_CONNECTION_DATA = 2,
	REC_WATCH_DATA = 3,
	REC_TRANSACTION_DATA = 4,
	REC_NODE_DATA = 5,
	REC_GLOBAL_QUOTA_DATA = 6,
	REC_DOMAIN_DATA = 7,
	REC_WATCH_DATA_EXTENDED = 8,
	/* Ours (top bit set) */
	REC_XS_DAEMON = 0x80000001u,	/* store generation, history bound */
	REC_XS_NODE_GENS = 0x80000002u,	/* after a committed NODE_DATA */
	REC_XS_CONN = 0x80000003u,	/* after a CONNECTION_DATA */
	REC_XS_DOMAIN = 0x80000004u,	/* after a DOMAIN_DATA */
	REC_XS_TXN = 0x80000005u,	/* after a TRANSACTION_DATA */
	REC_XS_TXN_NODE = 0x80000006u,	/* after a transaction's NODE_DATA */
	REC_XS_TXN_OP = 0x80000007u,	/* one logged operation */
	REC_XS_HISTORY = 0x80000008u,	/* one saved node state */
	REC_XS_LU_REPLY = 0x80000009u,	/* the request live update answers */
};

/* CONNECTION_DATA conn-type */
#define STREAM_CONN_RING 0u
#define STREAM_CONN_SOCKET 1u

/* NODE_DATA access bits for a transaction's node */
#define STREAM_ACCESS_READ 1u
#define STREAM_ACCESS_WRITTEN 2u

/* WATCH_DATA_EXTENDED depth meaning "all levels" */
#define STREAM_DEPTH_ALL 0xffffu

struct stream_save_opts {
	bool live_update;	/* fds mean something to the reader */
	int listen_fd;		/* GLOBAL_DATA socket fd, -1 for none */
	/* The request the new process answers (live update), if any. */
	bool reply;
	uint32_t reply_conn, reply_req, reply_tx;
};

/* Write the stream to fd (from its current offset).  0 or -errno. */
int stream_save(struct daemon *d, const struct stream_save_opts *o, int fd);

/* Save into a malloc'ed buffer (*out, *len; the caller frees). */
int stream_save_buf(struct daemon *d, const struct stream_save_opts *o,
		    char **out, size_t *len);

enum stream_load_mode {
	/* Everything: connections over the fds the stream names, watches,
	 * transactions, rings re-mapped.  Into a freshly set-up daemon. */
	STREAM_LOAD_LIVE,
	/* Nodes, permissions, domains (not their rings) and quotas only. */
	STREAM_LOAD_STATE,
};

struct stream_loaded {
	int listen_fd;			/* -1 when the stream had none */
	struct conn *reply_conn;	/* NULL: nothing to answer */
	uint32_t reply_req, reply_tx;
	uint32_t nodes, conns, watches, txns, domains, skipped;
};

/*
 * Load the stream in buf into d (set up by daemon_init(), with its backend
 * if rings are to come back).  0, or -EINVAL for a malformed stream with
 * the reason in err, or another -errno.  On an error d may hold part of
 * the state: the caller gives up on it.
 */
int stream_load_buf(struct daemon *d, const char *buf, size_t len,
		    enum stream_load_mode mode, struct stream_loaded *out,
		    char *err, size_t errsize);

/* The same, reading the whole of fd from offset 0. */
int stream_load_fd(struct daemon *d, int fd, enum stream_load_mode mode,
		   struct stream_loaded *out, char *err, size_t errsize);

#endif
