/* SPDX-License-Identifier: MIT */
/*
 * The dispatcher: one table indexed by message type, and the generic checks
 * done once for every request (known type, privilege, transaction lookup,
 * argument count and NUL termination).  Handlers then see a request with
 * its arguments split, fill the reply and return 0 or -errno; they never
 * touch sockets or rings, so they can be tested without either.
 */
#ifndef XS_DAEMON_DISPATCH_H
#define XS_DAEMON_DISPATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "changes.h"
#include "view.h"
#include "xenstore/wire.h"

struct conn;
struct daemon;
struct caller;
struct txn;
struct watch;

#define REQ_MAX_ARGS 16

struct reply {
	uint32_t len;
	char buf[XS_PAYLOAD_MAX];
};

struct request {
	struct daemon *d;
	struct conn *conn;
	const struct caller *caller;
	struct xs_msg_hdr hdr;
	const char *payload;		/* hdr.len bytes, in the conn's buffer */
	const char *argv[REQ_MAX_ARGS];
	unsigned int argc;
	struct txn *txn;		/* the transaction named by tx_id */
	struct view view;		/* store, or store through txn */
	struct changes changes;		/* filled by changes; watches fire after */
	struct reply reply;
	struct watch *initial_event;	/* WATCH: its first event, after the reply */
	bool reply_later;		/* handler answers later (live update) */
};

/* Handle one complete message from c: reply (and events) queued on c. */
void dispatch_message(struct conn *c, const struct xs_msg_hdr *hdr,
		      const char *payload);

/* Name of a message type for traces ("READ"), or NULL if unknown. */
const char *dispatch_type_name(uint32_t type);

/* Reply helpers: -E2BIG when the reply would exceed XS_PAYLOAD_MAX. */
int reply_add(struct reply *r, const void *data, size_t len);
int reply_str(struct reply *r, const char *s); /* with its NUL */
int reply_ok(struct reply *r);		       /* "OK\0" */

/*
 * Canonical path of argument i for this caller, into out (PATH_BUF_SIZE).
 * Applies the validity rules and, for unprivileged callers, the path-max
 * quota.  -EINVAL on a bad path.
 */
int req_path(struct request *r, unsigned int i, bool allow_special, char *out,
	     size_t *rel_len);

/* Fire watches for everything recorded in changes. */
void req_fire_changes(struct daemon *d, struct changes *ch);

/* Fire @introduceDomain or @releaseDomain about domid. */
void req_fire_special(struct daemon *d, int which, unsigned int domid);

#endif
