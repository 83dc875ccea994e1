/* SPDX-License-Identifier: MIT */
/*
 * The list of paths one request (or one transaction commit) changed, kept
 * until the change is complete so watches fire afterwards, in order, and -
 * for commits - once per path.  Each entry keeps the permissions the node
 * had, because watchers only hear of nodes they may read, and a removed
 * node's permissions are gone once it is freed.
 */
#ifndef XS_DAEMON_CHANGES_H
#define XS_DAEMON_CHANGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/perms.h"

struct change {
	char *path;		/* owned */
	struct xs_perm *perms;	/* owned copy */
	uint32_t nperms;
	bool exact;		/* removed below the request's path: only
				   watches set exactly here fire */
};

struct changes {
	struct change *v;	/* owned array */
	size_t n, cap;
	/* Open-addressing set of indexes into v, used when dedupe is set. */
	uint32_t *set;
	size_t setcap;
	bool dedupe;
	int error;		/* sticky -ENOMEM: events may be missing */
};

void changes_init(struct changes *c, bool dedupe);
void changes_release(struct changes *c);

/* Record a change; duplicates (same path) are dropped when deduping. */
void changes_add(struct changes *c, const char *path, const struct xs_perm *perms,
		 uint32_t nperms, bool exact);

#endif
