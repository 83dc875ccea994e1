/* SPDX-License-Identifier: MIT */
/* Quota settings; see quota.h. */
#include "quota.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "xenstore/wire.h"

static const struct {
	const char *name;
	const char *descr;
	uint32_t hard, soft;
} quota_table[Q_COUNT] = {
	[Q_NODES] = {"nodes", "Nodes per domain", 1000, QUOTA_DISABLED},
	[Q_WATCHES] = {"watches", "Watches per domain", 128, QUOTA_DISABLED},
	[Q_OUTSTANDING] = {"outstanding", "Outstanding requests per domain", 20,
			   QUOTA_DISABLED},
	[Q_MEMORY] = {"memory", "Total Xenstore memory per domain",
		      2 * 1024 * 1024 + 512 * 1024, 2 * 1024 * 1024},
	[Q_TRANSACTIONS] = {"transactions", "Transactions per domain", 10,
			    QUOTA_DISABLED},
	[Q_TXNODES] = {"transaction-nodes",
		       "Max. number of accessed nodes per transaction", 1024,
		       QUOTA_DISABLED},
	[Q_PERMS] = {"node-permissions", "Max. number of permissions per node", 5,
		     QUOTA_DISABLED},
	[Q_PATHMAX] = {"path-max", "Max. length of a node path",
		       XS_REL_PATH_MAX, QUOTA_DISABLED},
	[Q_NODESIZE] = {"node-size", "Max. size of a node", 2048, QUOTA_DISABLED},
};

void quota_defaults(struct quotas *q)
{
	for (int i = 0; i < Q_COUNT; i++) {
		q->hard[i] = quota_table[i].hard;
		q->soft[i] = quota_table[i].soft;
	}
}

const char *quota_name(enum quota_item item)
{
	return quota_table[item].name;
}

const char *quota_descr(enum quota_item item)
{
	return quota_table[item].descr;
}

int quota_parse_name(const struct quotas *q, const char *name,
		     enum quota_item *item, bool *soft)
{
	*soft = strncmp(name, "soft-", 5) == 0;
	if (*soft)
		name += 5;
	for (int i = 0; i < Q_COUNT; i++) {
		if (strcmp(name, quota_table[i].name) != 0)
			continue;
		/* Items without a soft level have no soft- name. */
		if (*soft && quota_table[i].soft == QUOTA_DISABLED)
			return -EINVAL;
		*item = (enum quota_item)i;
		return 0;
	}
	/* Xen 4.17 called the permissions quota by this shorter name. */
	if (!*soft && strcmp(name, "permissions") == 0) {
		*item = Q_PERMS;
		return 0;
	}
	(void)q;
	return -EINVAL;
}

uint32_t quota_limit(const struct quotas *q, enum quota_item item)
{
	uint32_t v = q->hard[item];

	return v == QUOTA_DISABLED ? 0 : v;
}

size_t quota_names(const struct quotas *q, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int i = 0; i < Q_COUNT; i++) {
		int n = snprintf(buf + len, size - len, "%s%s", len ? " " : "",
				 quota_table[i].name);
		if (n < 0 || (size_t)n >= size - len)
			break;
		len += (size_t)n;
		if (quota_table[i].soft != QUOTA_DISABLED) {
			n = snprintf(buf + len, size - len, " soft-%s",
				     quota_table[i].name);
			if (n < 0 || (size_t)n >= size - len)
				break;
			len += (size_t)n;
		}
	}
	(void)q;
	return len;
}
