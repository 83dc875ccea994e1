/* SPDX-License-Identifier: MIT */
/*
 * Accounting: what each domain uses of what the quotas limit, and the
 * decisions made against those quotas.
 *
 * Nodes and their bytes are counted by the store per owner (store.h).
 * Everything else a domain costs - watches, open transactions, replies
 * not yet sent (outstanding requests) and the bytes of watches,
 * transactions and queued output - is counted per connection in
 * conn->use and summed per domain id here.  Every change goes through
 * acct_add(), which updates both, so the per-domain sums are exact; a
 * connection changing identity (RESTRICT) moves its usage with
 * acct_move().  acct_check() recomputes everything from the objects
 * themselves and reports any drift (CONTROL check).
 *
 * Quota limits: the global settings (d->quotas), overridden per domain by
 * SET_QUOTA with a domid (struct domain's overrides, which die with the
 * domain so a later domain reusing the id inherits nothing).  Privileged
 * callers are exempt from every limit, as in the reference, but are still
 * counted.
 */
#ifndef XS_DAEMON_ACCT_H
#define XS_DAEMON_ACCT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "quota.h"

struct daemon;
struct conn;
struct caller;

struct usage {
	int64_t watches;
	int64_t txns;
	int64_t outstanding;	/* replies queued and not yet sent */
	int64_t bytes;		/* watches + transactions + queued output */
};

/*
 * Write-rate limiting (XSA-206): while any transaction is open, each
 * unprivileged domain may change the tree at WRL_RATE requests a second
 * with bursts of WRL_BURST (a domain first seen gets WRL_BURST_NEW), so a
 * guest rewriting a node in a loop cannot make every transaction that
 * reads it fail forever.  Credit is in thousandths of a write.
 */
#define WRL_RATE 200
#define WRL_BURST 10
#define WRL_BURST_NEW 50

struct wrl {
	int64_t credit;		/* may go one write below zero */
	uint64_t stamp_ms;	/* last refill; 0: never seen */
};

struct acct {
	struct usage *by_id;	/* PERM_DOMID_MAX + 1 entries */
	uint8_t *soft_warned;	/* per domid: over the soft memory limit */
	struct wrl *wrl;	/* per domid */
	int64_t txns;		/* open transactions, all domains */
};

int acct_init(struct acct *a);
void acct_release(struct acct *a);

/* Add delta to c's usage and to its domain's. */
void acct_add(struct conn *c, const struct usage *delta);

/* c becomes domid: its usage moves along. */
void acct_move(struct conn *c, uint32_t domid);


/* Domain domid's usage (all zero for an id never seen). */
struct usage acct_usage(const struct daemon *d, uint32_t domid);

/* Domain domid's memory: its nodes, watches, transactions, output. */
uint64_t acct_memory(const struct daemon *d, uint32_t domid);

/* The hard (or soft) limit on item in force for domid; 0 for none. */
uint32_t quota_for(const struct daemon *d, uint32_t domid, enum quota_item item);
uint32_t quota_soft_for(const struct daemon *d, uint32_t domid,
			enum quota_item item);

/*
 * Per-domain settings (SET_QUOTA/GET_QUOTA with a domid): -ENOENT when the
 * domain is not known.  Getting returns the value in force for it.
 */
int quota_domain_set(struct daemon *d, uint32_t domid, enum quota_item item,
		     bool soft, uint32_t value);
int quota_domain_get(const struct daemon *d, uint32_t domid,
		     enum quota_item item, bool soft, uint32_t *value);

/* Whether value is over who's limit on item (never for privileged); a
 * refusal is counted and logged (stats_quota_hit()). */
bool quota_exceeded(struct daemon *d, const struct caller *who,
		    enum quota_item item, uint64_t value);

/*
 * May who's domain grow by add bytes?  -ENOMEM past the hard memory
 * limit (never for privileged callers).  Past the soft limit the log says
 * so, once per domain per crossing.
 */
int acct_memory_reserve(struct daemon *d, const struct caller *who,
			uint64_t add);

/* c's request changed the tree: debit its domain's write credit. */
void acct_write_debit(struct conn *c);

/*
 * Whether c must wait before its next request is served: its domain has
 * as many replies outstanding as its quota allows, is over its hard
 * memory limit while c has output waiting to drain, or is out of write
 * credit while transactions are open.
 */
bool acct_must_wait(const struct conn *c);

/*
 * Recompute every connection's usage from its watches, transactions and
 * queued output, and every domain's sums from its connections, and
 * compare with the counters.  0, or -EIO with the first drift in msg.
 */
int acct_check(const struct daemon *d, char *msg, size_t msgsize);

/* Bytes one watch is charged. */
uint64_t watch_charge_of(const char *path, const char *token);

#endif
