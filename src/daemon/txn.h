/* SPDX-License-Identifier: MIT */
/*
 * Transactions: a private overlay on the store plus a log of operations.
 *
 * Starting one copies nothing (O(1) in the size of the tree): it opens a
 * snapshot of the store (history.h), so reads see the tree exactly as it
 * was when the transaction started, plus the transaction's own changes.
 * Reads are remembered as observations (existence and generation of the
 * node, and the child-list generation when it was listed); writes go to the
 * overlay and to the log.  Commit checks every observation against the
 * store - if any observed node was changed, created or removed since the
 * start, the commit fails with EAGAIN - and otherwise replays the log on
 * the store.  This is optimistic concurrency control with node granularity:
 * unrelated commits never conflict, and two transactions adding different
 * children to one parent both succeed because adding a child observes the
 * parent's value and permissions, not its child list.
 *
 * Owns its overlay nodes and log.  The connection owns the struct txn.
 */
#ifndef XS_DAEMON_TXN_H
#define XS_DAEMON_TXN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "history.h"
#include "view.h"

struct store;
struct changes;
struct tnode;
struct txop;

struct txn {
	struct txn *next;	/* in the owning connection's list */
	struct store *store;
	struct snap snap;	/* the tree as of the start */
	uint32_t id;		/* tx_id on the wire, never 0 */
	uint32_t nnodes;	/* overlay entries: nodes touched */
	uint32_t max_nodes;	/* quota on nnodes, 0 for none */
	uint64_t nmods;		/* changes made so far */
	uint64_t made_count;	/* nodes made to exist so far (orders them) */
	size_t bytes;		/* memory it holds (the memory quota) */
	size_t charged;		/* of which charged to its domain so far */
	struct tnode **buckets;
	size_t nbuckets;
	struct tnode *order_head, *order_tail; /* first-touch order */
	struct txop *ops_head, *ops_tail;      /* the log, in order */
};

/* A new transaction on s, or NULL when out of memory. */
struct txn *txn_new(struct store *s, uint32_t id, uint32_t max_nodes);
void txn_free(struct txn *t);

int txn_get(struct txn *t, struct store *s, const char *path,
	    struct nodeinfo *out);
int txn_nearest(struct txn *t, struct store *s, const char *path,
		struct nodeinfo *out);
int txn_list(struct txn *t, struct store *s, const char *path,
	     view_child_fn fn, void *arg, uint64_t *cgen);
int txn_write(struct txn *t, struct store *s, const char *path,
	      const void *value, size_t len, bool set_value,
	      const struct xs_perm *cperms, uint32_t ncperms);
int txn_rm(struct txn *t, struct store *s, const char *path);
int txn_set_perms(struct txn *t, struct store *s, const char *path,
		  const struct xs_perm *perms, uint32_t nperms);

/*
 * Nodes owned by domid that committing t now would add to the store:
 * those it made exist, with domid as owner, that the store lacks.  The
 * node quota counts them (a guest must not get past it by spreading
 * creations over transactions).
 */
uint32_t txn_new_nodes(const struct txn *t, const struct store *s,
		       uint32_t domid);

/*
 * Validate and apply.  Returns -EAGAIN (nothing applied) if an observed
 * node changed, else applies every logged operation, recording each
 * changed path once in `changes`, and returns 0.
 */
int txn_commit(struct txn *t, struct store *s, struct changes *changes);

/*
 * Save and restore (stream_write.c / stream_read.c, live update): a
 * transaction's overlay entries and log as plain images, and constructors
 * that rebuild them exactly, so a restored transaction commits with the
 * result it would have had.
 */
enum txn_op_image_kind { TXN_IMG_WRITE, TXN_IMG_MKDIR, TXN_IMG_RM, TXN_IMG_SETPERMS };

struct txn_node_image {
	const char *path;
	bool observed, seen_exists, listed;
	bool modified, exists, shadow;
	uint64_t seen_gen, seen_cgen, made_seq;
	const char *value;		/* private value when modified */
	uint32_t vlen;
	const struct xs_perm *perms;	/* private perms when modified */
	uint32_t nperms;
};

struct txn_op_image {
	enum txn_op_image_kind kind;
	const char *path;
	const char *value;
	uint32_t vlen;
	const struct xs_perm *perms;
	uint32_t nperms;
};

/* Call fn for every overlay entry in first-touch order; stops on non-zero. */
int txn_each_node(const struct txn *t,
		  int (*fn)(void *arg, const struct txn_node_image *img), void *arg);
/* Call fn for every logged operation in order; stops on non-zero. */
int txn_each_op(const struct txn *t,
		int (*fn)(void *arg, const struct txn_op_image *img), void *arg);

/* A transaction whose snapshot is at generation snap_gen (snapshots must
 * be restored oldest first), with its counters; NULL when out of memory. */
struct txn *txn_restore_new(struct store *s, uint32_t id, uint32_t max_nodes,
			    uint64_t snap_gen, uint64_t nmods, uint64_t made_count);
/* Append an overlay entry / a logged operation: 0, -ENOMEM or -EEXIST. */
int txn_restore_node(struct txn *t, const struct txn_node_image *img);
int txn_restore_op(struct txn *t, const struct txn_op_image *img);

#endif
