/* SPDX-License-Identifier: MIT */
/*
 * History: the states nodes had before recent changes, kept only while a
 * transaction that started earlier is open, so that transactions read a
 * consistent snapshot of the tree as it was when they started.
 *
 * Every change the store makes while a snapshot is open first saves the
 * node's previous state (value, permissions, generations, or "did not
 * exist") tagged with the generation of the change.  The state of a path
 * at snapshot generation S is then the first saved state with a tag above
 * S, or the current node if there is none.  Records are dropped once no
 * open snapshot is older than them.  The total size is bounded: past the
 * bound the oldest records go and the snapshots that needed them are
 * marked lost (their transactions will fail with EAGAIN at commit).
 *
 * Owned by the store; knows nodes only through the values it copies.
 */
#ifndef XS_DAEMON_HISTORY_H
#define XS_DAEMON_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/perms.h"

struct hist_rec;
struct hist_path;

/* An open snapshot (embedded in a transaction). */
struct snap {
	struct snap *prev, *next;
	uint64_t gen;		/* store generation when it was taken */
};

/* A node's state as a snapshot sees it. */
struct node_state {
	bool exists;
	const char *value;
	uint32_t vlen;
	const struct xs_perm *perms;
	uint32_t nperms;
	uint64_t gen, cgen, cre_gen, pgen;
	uint32_t nchildren;
};

struct history {
	struct snap *snaps_head, *snaps_tail; /* oldest first */
	struct hist_path **buckets;
	size_t nbuckets, npaths;
	struct hist_rec *fifo_head, *fifo_tail; /* all records, oldest first */
	size_t bytes;		/* memory held by records */
	size_t max_bytes;	/* bound on bytes */
	uint64_t lost_gen;	/* snapshots older than this lost records */
	uint64_t records;
};

int history_init(struct history *h, size_t max_bytes);
void history_release(struct history *h);

/* True while any snapshot is open: changes must be saved. */
static inline bool history_active(const struct history *h)
{
	return h->snaps_head != NULL;
}

void history_snap_open(struct history *h, struct snap *sn, uint64_t gen);
void history_snap_close(struct history *h, struct snap *sn);
/* False if records this snapshot needs were dropped. */
bool history_snap_intact(const struct history *h, const struct snap *sn);

/*
 * Save the state of path before the change tagged gen: st->exists false
 * for a node about to be created.  Only the first save per path and gen
 * counts.  Copies what it keeps; failures only cost exactness (the
 * affected snapshots are marked lost).
 */
void history_save(struct history *h, const char *path, const struct node_state *st,
		  uint64_t gen);

/*
 * The saved state of path at snapshot generation gen, if a change after
 * gen was saved: true and *out filled; false means the current node is
 * what the snapshot sees.
 */
bool history_state_at(const struct history *h, const char *path, uint64_t gen,
		      struct node_state *out);

/* Call fn with the name of every direct child of path that has records. */
typedef int (*history_name_fn)(void *arg, const char *name, size_t len);
int history_children(const struct history *h, const char *path,
		     history_name_fn fn, void *arg);

/*
 * Every saved state, oldest first, for saving the history of open
 * snapshots (live update).  Replaying the same calls to history_save() in
 * this order, after the snapshots are open, rebuilds it.
 */
int history_each(const struct history *h,
		 int (*fn)(void *arg, const char *path, uint64_t gen,
			   const struct node_state *st),
		 void *arg);

#endif
