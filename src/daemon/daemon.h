/* SPDX-License-Identifier: MIT */
/*
 * The daemon's state, in one struct passed explicitly to whatever needs it:
 * the store, the watch index, quotas, connections and the loop.
 */
#ifndef XS_DAEMON_DAEMON_H
#define XS_DAEMON_DAEMON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "acct.h"
#include "domain.h"
#include "loop.h"
#include "quota.h"
#include "stats.h"
#include "store.h"
#include "watch.h"
#include "xenstore/wire.h"

struct conn;
struct journal;
struct lu;

/* The special watch paths, whose permissions SET_PERMS may change (XSA-115). */
enum special_node { SPECIAL_INTRODUCE, SPECIAL_RELEASE, SPECIAL_COUNT };

struct special_perms {
	const char *path;	/* "@introduceDomain", "@releaseDomain" */
	struct xs_perm *perms;	/* owned */
	uint32_t nperms;
	uint64_t pgen;		/* store generation when they were set */
};

struct daemon {
	struct store store;
	struct watch_index watches;
	struct quotas quotas;	 /* global settings */
	struct acct acct;	 /* per-domain usage (acct.h) */
	uint32_t quota_waiting;	 /* connections with quota_wait set */
	struct loop loop;
	struct conn *conns;	 /* every live connection */
	struct conn *busy_head;	 /* connections with unprocessed input */
	struct conn *busy_tail;
	struct conn *flush_head; /* connections with output to send */
	struct conn *read_head;	 /* transports to read without an fd event */
	struct conn *dead;	 /* closed, to be freed at the safe point */
	uint32_t next_conn_id;
	FILE *trace;		 /* access trace, NULL when off */
	char *trace_path;	 /* owned */
	bool trace_on;
	time_t started;
	struct daemon_stats stats;
	uint32_t event_limit;	 /* pending watch events per connection */
	uint64_t event_timeout_ms; /* unread events are dropped after this */
	uint64_t queued_events;	 /* events queued on all connections */
	uint64_t last_expire_ms; /* last sweep for stale events */
	size_t out_limit;	 /* queued reply bytes before reading pauses */
	struct special_perms special[SPECIAL_COUNT];
	struct domains domains;
	struct loop_fd backend_lf; /* the backend's fd in the loop */
	struct journal *journal;  /* --state-dir, else NULL; not owned */
	struct lu *lu;		 /* live update (lu.c), NULL when off */
};

/* The special node named path, or NULL. */
struct special_perms *daemon_special(struct daemon *d, const char *path);

/* Set up the store with the reference's initial tree. */
int daemon_init(struct daemon *d);
/* Free everything, closing every connection. */
void daemon_release(struct daemon *d);

/* One round of work: process queued input fairly, flush, free the dead. */
void daemon_run_pending(struct daemon *d);
/* Milliseconds of a monotonic clock. */
uint64_t daemon_now_ms(void);

/*
 * Check the whole daemon's consistency: the store (store_check()) and the
 * accounting recomputed from scratch (acct_check()).  0 and "OK" in msg,
 * or -EIO with the first problem found.
 */
int daemon_check(struct daemon *d, char *msg, size_t msgsize);

/* Drop watch events that waited longer than the timeout. */
void daemon_expire_events(struct daemon *d);

/* True when some connection still has input waiting to be processed. */
bool daemon_has_pending(const struct daemon *d);

#endif
