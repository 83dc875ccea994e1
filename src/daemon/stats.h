/* SPDX-License-Identifier: MIT */
/*
 * Live statistics: the daemon's counters (requests per type, errors per
 * name, watch events, dropped connections, quota hits) and the JSON
 * replies of CONTROL "stats", built from those counters and from what the
 * store, the accounting (acct.h) and the connections hold right now.
 *
 * Every reply fits one message (XS_PAYLOAD_MAX with its NUL): the global
 * view is bounded by the number of message types, error names and quotas;
 * per-domain and per-connection views are paged ("next" names where the
 * following page starts), so any number of domains can be listed.  The
 * fields are described in docs/operations.md.
 */
#ifndef XS_DAEMON_STATS_H
#define XS_DAEMON_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "quota.h"
#include "xenstore/wire.h"

struct daemon;
struct conn;

/* How many error names exist on the wire (XS_ERRORS). */
#define STATS_ERR_ONE(e) +1
enum { STATS_ERR_COUNT = 0 XS_ERRORS(STATS_ERR_ONE) };
#undef STATS_ERR_ONE

struct daemon_stats {
	uint64_t requests[XS_TYPE_COUNT];	/* received, per message type */
	uint64_t requests_unknown;		/* types past the table */
	uint64_t errors[STATS_ERR_COUNT];	/* ERROR replies, XS_ERRORS order */
	uint64_t events_sent;			/* watch events queued */
	uint64_t events_dropped;		/* too many, too long, too old */
	uint64_t conns_dropped;			/* closed other than by the peer */
	uint64_t quota_hits[Q_COUNT];		/* requests refused or held */
};

/* Count a request of this type. */
void stats_count_request(struct daemon_stats *s, uint32_t type);
/* Count an ERROR reply carrying this wire name ("EINVAL"). */
void stats_count_error(struct daemon_stats *s, const char *name);

/*
 * Domain domid was refused something for being over its quota on item
 * (value asked for, limit in force): counted, and logged at most once per
 * domain and quota every LOG_LIMIT_MS (log.h).
 */
void stats_quota_hit(struct daemon *d, uint32_t domid, enum quota_item item,
		     uint64_t value, uint32_t limit);

/* c stops being served for its domain's quotas (acct_must_wait()). */
void stats_quota_wait(struct conn *c);

/*
 * The JSON of CONTROL "stats" into buf[0..size) (NUL-terminated):
 *   stats_global:   counters and totals;
 *   stats_domain:   one domain's usage against its quotas and its
 *                   connections (-ENOENT for a domain with nothing);
 *   stats_domains:  every domain from domid first on, as many as fit;
 *   stats_conns:    every connection from id first on, as many as fit.
 * 0, or -E2BIG if even one element does not fit in size.
 */
int stats_global(struct daemon *d, char *buf, size_t size);
int stats_domain(struct daemon *d, uint32_t domid, char *buf, size_t size);
int stats_domains(struct daemon *d, uint32_t first, char *buf, size_t size);
int stats_conns(struct daemon *d, uint32_t first, char *buf, size_t size);

#endif
