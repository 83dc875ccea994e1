/* SPDX-License-Identifier: MIT */
/*
 * Quota settings: names, defaults and current values of every per-domain
 * limit.  Defaults are those of Xen 4.17's C xenstored.  Privileged domains
 * are exempt from all of them, as in the reference.
 */
#ifndef XS_DAEMON_QUOTA_H
#define XS_DAEMON_QUOTA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Order is the reference's: GET_QUOTA lists names in this order. */
enum quota_item {
	Q_NODES,	/* nodes owned per domain: 1000 */
	Q_WATCHES,	/* watches per domain: 128 */
	Q_OUTSTANDING,	/* requests not yet answered per domain: 20 */
	Q_MEMORY,	/* bytes per domain: 2.5 MiB hard, 2 MiB soft */
	Q_TRANSACTIONS,	/* open transactions per domain: 10 */
	Q_TXNODES,	/* nodes touched per transaction: 1024 */
	Q_PERMS,	/* permission entries per node: 5 */
	Q_PATHMAX,	/* path bytes below a domain's home: 2048 */
	Q_NODESIZE,	/* bytes of value plus permissions per node: 2048 */
	Q_COUNT
};

#define QUOTA_DISABLED UINT32_MAX

struct quotas {
	uint32_t hard[Q_COUNT];	/* 0 or QUOTA_DISABLED: no limit */
	uint32_t soft[Q_COUNT];	/* warning levels; QUOTA_DISABLED where none */
};

void quota_defaults(struct quotas *q);

/* Name of an item ("nodes", ...). */
const char *quota_name(enum quota_item item);
const char *quota_descr(enum quota_item item);

/*
 * Look up a name as GET_QUOTA/SET_QUOTA take it: "nodes", or "soft-memory"
 * for a soft value.  Returns 0 and fills item/soft, or -EINVAL.
 */
int quota_parse_name(const struct quotas *q, const char *name,
		     enum quota_item *item, bool *soft);

/* The limit in force, or 0 when none. */
uint32_t quota_limit(const struct quotas *q, enum quota_item item);

/* "nodes watches ..." as GET_QUOTA without arguments returns; length. */
size_t quota_names(const struct quotas *q, char *buf, size_t size);

#endif
