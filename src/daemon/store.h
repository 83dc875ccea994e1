/* SPDX-License-Identifier: MIT */
/*
 * The node database: a tree of nodes, each with a value, a permission list
 * and children, plus one hash table over (parent, name) so that finding a
 * path costs one probe per component and never a scan.
 *
 * Owns every struct node and everything hanging off it.  Knows nothing of
 * connections, transactions or watches: callers decide whether a change is
 * allowed and what it triggers; the store only applies it, stamps it with a
 * generation number and keeps per-owner node counts.
 *
 * Generations: the store counts changes in `gen`.  A node's `gen` is the
 * count at its creation or its last value/permission change; `cgen` is the
 * count at the last change of its child list.  Transactions compare these to
 * detect conflicts, and DIRECTORY_PART reports `cgen` so a client can tell
 * whether the list moved under it.
 */
#ifndef XS_DAEMON_STORE_H
#define XS_DAEMON_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/perms.h"
#include "history.h"

struct node {
	struct node *hnext;	/* hash chain */
	struct node *parent;	/* NULL only for the root */
	struct node *first_child, *last_child; /* creation order */
	struct node *prev_sib, *next_sib;
	uint64_t gen;		/* creation or last value/perms change */
	uint64_t cgen;		/* last change of the child list */
	uint64_t cre_gen;	/* creation: orders siblings */
	uint64_t pgen;		/* creation or last permission change */
	struct node *owner_prev, *owner_next; /* nodes of the same owner */
	char *value;		/* vlen bytes, NULL when empty; owned */
	uint32_t vlen;
	uint32_t nchildren;
	uint32_t nperms;	/* >= 1 */
	uint32_t namelen;	/* length of name, 0 for the root */
	struct xs_perm *perms;	/* nperms entries; owned */
	uint32_t hash;
	char name[];		/* last component, NUL-terminated */
};

/*
 * What a change did, for an observer (the journal): reported after the
 * change for STORE_CREATED (the deepest node one store_create() made; any
 * missing ancestors were made with the same permissions), STORE_VALUE and
 * STORE_PERMS, and before it for STORE_REMOVED (the subtree's root, still
 * linked).  path is the node's full path, or NULL when the store does not
 * have it at hand (the observer then builds it with store_path()).
 */
enum store_change { STORE_CREATED, STORE_VALUE, STORE_PERMS, STORE_REMOVED };

struct store_observer {
	void (*changed)(void *arg, enum store_change what, const struct node *n,
			const char *path);
	void *arg;
};

struct store {
	struct node **buckets;
	size_t nbuckets;	/* power of two */
	size_t count;		/* nodes, root included */
	struct node *root;
	uint64_t gen;		/* changes so far */
	uint32_t *owner_nodes;	/* PERM_DOMID_MAX + 1 counters */
	uint64_t *owner_bytes;	/* PERM_DOMID_MAX + 1: node_charge() sums */
	struct node **owner_list; /* PERM_DOMID_MAX + 1 lists of owned nodes */
	size_t value_bytes;	/* sum of vlen, for memreport */
	struct history hist;	/* old states for open snapshots */
	const struct store_observer *observer; /* NULL: none; not owned */
};

/* Set up a store holding only "/" owned by dom0 with no access for others. */
int store_init(struct store *s);
void store_release(struct store *s);

/* The node at an absolute, valid path, or NULL. */
struct node *store_lookup(const struct store *s, const char *path);

/*
 * The deepest existing node on the way to path (the node itself if it
 * exists); *len receives the length of its path within `path` (1 for "/").
 */
struct node *store_nearest(const struct store *s, const char *path,
			   size_t *len);

/* The child of parent called name[0..len), or NULL. */
struct node *store_child(const struct store *s, const struct node *parent,
			 const char *name, size_t len);

/*
 * Create path and any missing ancestors with empty values and a copy of
 * perms.  Existing nodes on the way are left alone.  All or nothing: on
 * -ENOMEM nothing was created; a path over XS_ABS_PATH_MAX bytes is
 * -EINVAL.  *out receives the node at path.
 */
int store_create(struct store *s, const char *path, const struct xs_perm *perms,
		 uint32_t nperms, struct node **out);

/* Replace a node's value (copied).  0 or -ENOMEM, node unchanged on error. */
int store_set_value(struct store *s, struct node *n, const void *value,
		    size_t len);

/* Replace a node's permissions (copied, nperms >= 1).  0 or -ENOMEM. */
int store_set_perms(struct store *s, struct node *n, const struct xs_perm *perms,
		    uint32_t nperms);

/*
 * Called for each node a removal deletes, children before parents, before
 * the node is freed.  path is its full path (valid during the call only).
 */
typedef void (*store_visit_fn)(void *arg, const struct node *n,
			       const char *path);

/*
 * Remove n and its whole subtree (never the root).  path is n's full path.
 * visit (may be NULL) sees every removed node including n itself, last.
 * Iterative: depth costs no stack.
 */
void store_remove(struct store *s, struct node *n, const char *path,
		  store_visit_fn visit, void *arg);

/* Write n's full path into buf; returns its length or 0 if it does not fit. */
size_t store_path(const struct node *n, char *buf, size_t size);

/*
 * Snapshots: a transaction opens one at its start; while any is open every
 * change saves the state it replaces (history.h), so the tree as it was at
 * the snapshot stays readable.
 */
void store_snap_open(struct store *s, struct snap *sn);
void store_snap_close(struct store *s, struct snap *sn);
/* False if history the snapshot needs was dropped (size bound). */
bool store_snap_intact(const struct store *s, const struct snap *sn);

/* The state of path as of generation gen (a snapshot's). */
void store_state_at(const struct store *s, const char *path, uint64_t gen,
		    struct node_state *out);

/*
 * Call fn for each child of path as of generation gen (path must have
 * existed then).  Returns what fn returned, or 0.
 */
int store_list_at(const struct store *s, const char *path, uint64_t gen,
		  history_name_fn fn, void *arg);

/*
 * Memory a node is charged to its owner (the memory quota): the node
 * structure, name, value and permission entries.
 */
uint64_t node_charge(const struct node *n);

/* Bytes of the nodes owned by domid (sum of node_charge()). */
uint64_t store_owner_bytes(const struct store *s, uint32_t domid);

/* Nodes owned by domid. */
uint32_t store_owner_nodes(const struct store *s, uint32_t domid);

/* Some node owned by domid (never the root), or NULL when none is left. */
struct node *store_owned_node(const struct store *s, uint32_t domid);

/*
 * Walk the whole tree and compare it with the hash table and the counters.
 * Returns 0 when consistent, else -EIO with a description in msg.
 */
int store_check(const struct store *s, char *msg, size_t msgsize);

#endif
