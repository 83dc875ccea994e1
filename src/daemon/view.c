/* SPDX-License-Identifier: MIT */
/*
 * Views: transactions go to txn.c; outside a transaction this file applies
 * changes to the store and records them for the watches.
 */
#include "view.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "changes.h"
#include "store.h"
#include "txn.h"

/* The node's and its parent's permissions, for the watchers. */
static struct change_perms who_of(const struct node *n)
{
	struct change_perms who = {.node = n->perms, .nnode = n->nperms,
				   .pnode = n->pgen};

	if (n->parent) {
		who.parent = n->parent->perms;
		who.nparent = n->parent->nperms;
		who.pparent = n->parent->pgen;
	}
	return who;
}

static void fill_info(const struct node *n, struct nodeinfo *out)
{
	out->exists = true;
	out->value = n->value;
	out->vlen = n->vlen;
	out->perms = n->perms;
	out->nperms = n->nperms;
	out->cgen = n->cgen;
	out->pgen = n->pgen;
	out->nchildren = n->nchildren;
}

int view_get(struct view *v, const char *path, struct nodeinfo *out)
{
	if (v->txn)
		return txn_get(v->txn, v->store, path, out);

	const struct node *n = store_lookup(v->store, path);
	if (!n) {
		out->exists = false;
		return -ENOENT;
	}
	fill_info(n, out);
	return 0;
}

int view_nearest(struct view *v, const char *path, struct nodeinfo *out)
{
	if (v->txn)
		return txn_nearest(v->txn, v->store, path, out);

	size_t len;
	fill_info(store_nearest(v->store, path, &len), out);
	return 0;
}

int view_list(struct view *v, const char *path, view_child_fn fn, void *arg,
	      uint64_t *cgen)
{
	if (v->txn)
		return txn_list(v->txn, v->store, path, fn, arg, cgen);

	const struct node *n = store_lookup(v->store, path);
	if (!n)
		return -ENOENT;
	*cgen = n->cgen;
	for (const struct node *c = n->first_child; c; c = c->next_sib) {
		int ret = fn(arg, c->name, c->namelen);
		if (ret)
			return ret;
	}
	return 0;
}

int view_write(struct view *v, const char *path, const void *value, size_t len,
	       bool set_value, const struct xs_perm *cperms, uint32_t ncperms)
{
	if (v->txn)
		return txn_write(v->txn, v->store, path, value, len, set_value,
				 cperms, ncperms);

	struct node *n = store_lookup(v->store, path);
	bool created = false;
	int ret;

	if (!n) {
		ret = store_create(v->store, path, cperms, ncperms, &n);
		if (ret)
			return ret;
		created = true;
	}
	if (set_value) {
		ret = store_set_value(v->store, n, value, len);
		if (ret && !created)
			return ret;
	} else if (!created) {
		return 0; /* MKDIR of an existing node changes nothing */
	}
	struct change_perms who = who_of(n);
	changes_add(v->changes, path, &who, false);
	return 0;
}

struct rm_ctx {
	struct changes *changes;
	const struct node *top;
};

static void rm_visit(void *arg, const struct node *n, const char *path)
{
	struct rm_ctx *ctx = arg;

	if (n != ctx->top) {
		struct change_perms who = who_of(n);
		changes_add(ctx->changes, path, &who, true);
	}
}

int view_rm(struct view *v, const char *path)
{
	if (v->txn)
		return txn_rm(v->txn, v->store, path);

	struct node *n = store_lookup(v->store, path);
	if (!n)
		return -ENOENT;
	if (!n->parent)
		return -EINVAL;
	struct rm_ctx ctx = {.changes = v->changes, .top = n};
	struct change_perms who = who_of(n);
	changes_add(v->changes, path, &who, false);
	store_remove(v->store, n, path, rm_visit, &ctx);
	return 0;
}

int view_set_perms(struct view *v, const char *path, const struct xs_perm *perms,
		   uint32_t nperms)
{
	if (v->txn)
		return txn_set_perms(v->txn, v->store, path, perms, nperms);

	struct node *n = store_lookup(v->store, path);
	if (!n)
		return -ENOENT;
	/* Those who could read it before hear of the change too. */
	struct xs_perm *old = malloc(n->nperms * sizeof(*old));
	if (!old)
		return -ENOMEM;
	memcpy(old, n->perms, n->nperms * sizeof(*old));
	uint32_t nold = n->nperms;
	uint64_t pold = n->pgen;
	int ret = store_set_perms(v->store, n, perms, nperms);
	if (ret == 0) {
		struct change_perms who = who_of(n);
		who.old = old;
		who.nold = nold;
		who.pold = pold;
		changes_add(v->changes, path, &who, false);
	}
	free(old);
	return ret;
}
