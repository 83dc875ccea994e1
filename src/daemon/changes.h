/* SPDX-License-Identifier: MIT */
/*
 * The list of paths one request (or one transaction commit) changed, kept
 * until the change is complete so watches fire afterwards, in order, and -
 * for commits - once per path.  Each entry keeps copies of the permission
 * lists that decide who may hear of it: as the reference does, a watcher
 * hears of a change if it may read the node, or its parent, or - for a
 * permission change - the node under its old permissions.  Copies, since a
 * removed node's permissions are gone once it is freed.
 */
#ifndef XS_DAEMON_CHANGES_H
#define XS_DAEMON_CHANGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/perms.h"

/* Up to three permission lists: the node's, its parent's, its old ones. */
#define CHANGE_PERM_SETS 3

struct change {
	char *path;		/* owned */
	struct xs_perm *perms;	/* owned: the lists one after another */
	uint32_t nperms[CHANGE_PERM_SETS]; /* entries of each list, 0: none */
	uint64_t pgen[CHANGE_PERM_SETS];   /* when each list was set (XSA-322) */
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

/* Who may hear of a change: permission lists (NULL/0 for absent ones). */
struct change_perms {
	const struct xs_perm *node;
	uint32_t nnode;
	const struct xs_perm *parent;
	uint32_t nparent;
	const struct xs_perm *old;
	uint32_t nold;
	/* The generation at which each list was set: an entry naming a
	 * domain counts only if that domain was known then (XSA-322). */
	uint64_t pnode, pparent, pold;
};

/* Record a change; duplicates (same path) are dropped when deduping. */
void changes_add(struct changes *c, const char *path,
		 const struct change_perms *who, bool exact);

#endif
