/* SPDX-License-Identifier: MIT */
/*
 * A view of the database as one request sees it: the committed store, or
 * the store as seen from inside a transaction.  Handlers use only these
 * functions, so every operation works the same way in and out of a
 * transaction; outside one, changes are applied to the store at once and
 * recorded in `changes` for the watches.
 *
 * Paths given here are canonical and valid; permission and quota checks are
 * the caller's job.
 */
#ifndef XS_DAEMON_VIEW_H
#define XS_DAEMON_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/perms.h"

struct store;
struct txn;
struct changes;

/* A node as seen through a view; pointers are valid until the next change. */
struct nodeinfo {
	bool exists;
	const char *value;
	uint32_t vlen;
	const struct xs_perm *perms;
	uint32_t nperms;
	uint64_t cgen;		/* child-list generation, for DIRECTORY_PART */
	uint64_t pgen;		/* when its permissions were set (XSA-322) */
	uint32_t nchildren;	/* committed children (a hint for sizing) */
};

struct view {
	struct store *store;
	struct txn *txn;	  /* NULL outside a transaction */
	struct changes *changes;  /* where changes are recorded (not in txn) */
};

/* The node at path: 0, or -ENOENT (or -ENOSPC: transaction too big). */
int view_get(struct view *v, const char *path, struct nodeinfo *out);

/* The deepest existing node at or above path (the root at worst). */
int view_nearest(struct view *v, const char *path, struct nodeinfo *out);

/* Called once per child name, in order; a non-zero return stops the walk. */
typedef int (*view_child_fn)(void *arg, const char *name, size_t len);

/* List path's children: 0, -ENOENT, or what fn returned. */
int view_list(struct view *v, const char *path, view_child_fn fn, void *arg,
	      uint64_t *cgen);

/*
 * Make path exist, creating missing ancestors with permissions cperms, and
 * if set_value store value[0..len) in it (MKDIR passes set_value false).
 */
int view_write(struct view *v, const char *path, const void *value, size_t len,
	       bool set_value, const struct xs_perm *cperms, uint32_t ncperms);

/* Remove path and its subtree: 0 or -ENOENT.  Never the root. */
int view_rm(struct view *v, const char *path);

/* Replace path's permissions: 0 or -ENOENT. */
int view_set_perms(struct view *v, const char *path, const struct xs_perm *perms,
		   uint32_t nperms);

#endif
