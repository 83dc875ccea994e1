/* SPDX-License-Identifier: MIT */
/*
 * Transactions; see txn.h for the model.
 *
 * Design note on the overlay.  Each path the transaction touched has one
 * tnode.  A tnode may carry an observation of the committed store (what was
 * seen there, checked at commit) and, once the transaction changed it,
 * private state (exists, value, perms).  `shadow` marks a private node whose
 * committed subtree is hidden: it was removed in the transaction (and maybe
 * re-created).  To resolve a path, the nearest modified tnode at or above it
 * decides: the path itself if modified; otherwise a shadowing or removed
 * ancestor hides the committed node; otherwise the committed store answers.
 * Nodes created under a shadowed ancestor are created shadowed, so the
 * nearest modified ancestor is always enough.
 */
#include "txn.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "changes.h"
#include "common/path.h"
#include "store.h"

struct tnode {
	struct tnode *hnext, *onext;
	uint32_t hash;
	/* observation of the committed store */
	bool observed, seen_exists, listed;
	uint64_t seen_gen, seen_cgen;
	/* private state, valid when modified */
	bool modified, exists, shadow;
	uint64_t made_seq;	/* when the transaction made it exist */
	char *value;
	uint32_t vlen;
	struct xs_perm *perms;
	uint32_t nperms;
	size_t plen;
	char path[];
};

enum txop_kind { TXOP_WRITE, TXOP_MKDIR, TXOP_RM, TXOP_SETPERMS };

struct txop {
	struct txop *next;
	enum txop_kind kind;
	char *path;
	char *value;
	uint32_t vlen;
	struct xs_perm *perms;	/* creation perms, or the new perms */
	uint32_t nperms;
};

#define FNV_INIT 2166136261u
#define FNV_STEP(h, c) (((h) ^ (unsigned char)(c)) * 16777619u)

static uint32_t hash_bytes(const char *p, size_t len)
{
	uint32_t h = FNV_INIT;

	for (size_t i = 0; i < len; i++)
		h = FNV_STEP(h, p[i]);
	return h;
}

/* An empty transaction, its snapshot not yet open; NULL without memory. */
static struct txn *txn_alloc(struct store *s, uint32_t id, uint32_t max_nodes)
{
	struct txn *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->nbuckets = 64;
	t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
	if (!t->buckets) {
		free(t);
		return NULL;
	}
	t->id = id;
	t->max_nodes = max_nodes;
	t->store = s;
	t->bytes = sizeof(*t) + t->nbuckets * sizeof(*t->buckets);
	return t;
}

struct txn *txn_new(struct store *s, uint32_t id, uint32_t max_nodes)
{
	struct txn *t = txn_alloc(s, id, max_nodes);

	if (t)
		store_snap_open(s, &t->snap);
	return t;
}

static void tnode_clear_private(struct txn *t, struct tnode *tn)
{
	t->bytes -= tn->vlen + (size_t)tn->nperms * sizeof(*tn->perms);
	free(tn->value);
	free(tn->perms);
	tn->value = NULL;
	tn->perms = NULL;
	tn->vlen = 0;
	tn->nperms = 0;
}

uint32_t txn_new_nodes(const struct txn *t, const struct store *s,
		       uint32_t domid)
{
	uint32_t n = 0;

	for (const struct tnode *tn = t->order_head; tn; tn = tn->onext)
		if (tn->modified && tn->exists && tn->nperms &&
		    tn->perms[0].domid == domid && !store_lookup(s, tn->path))
			n++;
	return n;
}

void txn_free(struct txn *t)
{
	if (!t)
		return;
	for (struct tnode *tn = t->order_head; tn;) {
		struct tnode *next = tn->onext;
		tnode_clear_private(t, tn);
		free(tn);
		tn = next;
	}
	for (struct txop *op = t->ops_head; op;) {
		struct txop *next = op->next;
		free(op->path);
		free(op->value);
		free(op->perms);
		free(op);
		op = next;
	}
	store_snap_close(t->store, &t->snap);
	free(t->buckets);
	free(t);
}

static struct tnode *tn_find_h(const struct txn *t, const char *path, size_t len,
			       uint32_t h)
{
	for (struct tnode *tn = t->buckets[h & (t->nbuckets - 1)]; tn; tn = tn->hnext)
		if (tn->hash == h && tn->plen == len && memcmp(tn->path, path, len) == 0)
			return tn;
	return NULL;
}

static struct tnode *tn_find(const struct txn *t, const char *path, size_t len)
{
	return tn_find_h(t, path, len, hash_bytes(path, len));
}

static void tn_grow(struct txn *t)
{
	size_t nb = t->nbuckets * 2;
	struct tnode **nbk = calloc(nb, sizeof(*nbk));

	if (!nbk)
		return;
	for (struct tnode *tn = t->order_head; tn; tn = tn->onext) {
		size_t b = tn->hash & (nb - 1);
		tn->hnext = nbk[b];
		nbk[b] = tn;
	}
	free(t->buckets);
	t->bytes += (nb - t->nbuckets) * sizeof(*nbk);
	t->buckets = nbk;
	t->nbuckets = nb;
}

/* Find or add the tnode for path; -ENOSPC past the transaction's quota. */
static int tn_get(struct txn *t, const char *path, size_t len, struct tnode **out)
{
	uint32_t h = hash_bytes(path, len);
	struct tnode *tn = tn_find_h(t, path, len, h);

	if (tn) {
		*out = tn;
		return 0;
	}
	if (t->max_nodes && t->nnodes >= t->max_nodes)
		return -ENOSPC;
	tn = calloc(1, sizeof(*tn) + len + 1);
	if (!tn)
		return -ENOMEM;
	t->bytes += sizeof(*tn) + len + 1;
	memcpy(tn->path, path, len);
	tn->path[len] = '\0';
	tn->plen = len;
	tn->hash = h;
	size_t b = h & (t->nbuckets - 1);
	tn->hnext = t->buckets[b];
	t->buckets[b] = tn;
	if (t->order_tail)
		t->order_tail->onext = tn;
	else
		t->order_head = tn;
	t->order_tail = tn;
	t->nnodes++;
	if (t->nnodes > t->nbuckets)
		tn_grow(t);
	*out = tn;
	return 0;
}

enum source { SRC_PRIVATE, SRC_HIDDEN, SRC_STORE };

/* The committed state of path as the transaction's snapshot sees it. */
static void committed(const struct txn *t, const struct store *s,
		      const char *path, struct node_state *st)
{
	if (store_snap_intact(s, &t->snap)) {
		store_state_at(s, path, t->snap.gen, st);
		return;
	}
	/* History was lost: read current data; the commit will fail. */
	store_state_at(s, path, UINT64_MAX, st);
}

static void info_from_state(const struct node_state *st, struct nodeinfo *out)
{
	out->exists = st->exists;
	out->value = st->value;
	out->vlen = st->vlen;
	out->perms = st->perms;
	out->nperms = st->nperms;
	out->cgen = st->cgen;
	out->pgen = st->pgen;
	out->nchildren = st->nchildren;
}

/*
 * How the transaction sees path: from its private state, hidden by a
 * removed ancestor, or through to the committed snapshot.  Fills out; for
 * SRC_STORE *st is the committed state.
 */
static enum source resolve(const struct txn *t, const struct store *s,
			   const char *path, struct nodeinfo *out,
			   struct node_state *st)
{
	size_t len = strlen(path);
	const struct tnode *nearest = NULL;
	uint32_t h = FNV_INIT;

	memset(out, 0, sizeof(*out));
	memset(st, 0, sizeof(*st));
	/* One pass: the FNV state after each prefix is that prefix's hash. */
	for (size_t i = 0; i < len; i++) {
		h = FNV_STEP(h, path[i]);
		size_t plen = i + 1;
		if (plen == 1 || plen == len || path[plen] == '/') {
			const struct tnode *tn = tn_find_h(t, path, plen, h);
			if (tn && tn->modified)
				nearest = tn;
		}
	}
	if (nearest && nearest->plen == len) {
		if (nearest->exists) {
			struct node_state base = {0};
			if (!nearest->shadow)
				committed(t, s, path, &base);
			out->exists = true;
			out->value = nearest->value;
			out->vlen = nearest->vlen;
			out->perms = nearest->perms;
			out->nperms = nearest->nperms;
			out->cgen = base.cgen + t->nmods;
			out->nchildren = base.nchildren;
			/* Set inside the transaction: entries of domains that
			 * exist now count. */
			out->pgen = UINT64_MAX;
		}
		return SRC_PRIVATE;
	}
	if (nearest && (!nearest->exists || nearest->shadow))
		return SRC_HIDDEN;
	committed(t, s, path, st);
	info_from_state(st, out);
	out->cgen += t->nmods;
	return SRC_STORE;
}

/* Remember what the committed snapshot showed for path (first sight only). */
static int observe(struct txn *t, const char *path, const struct node_state *st)
{
	struct tnode *tn;
	int ret = tn_get(t, path, strlen(path), &tn);

	if (ret)
		return ret;
	if (!tn->observed && !tn->modified) {
		tn->observed = true;
		tn->seen_exists = st->exists;
		tn->seen_gen = st->exists ? st->gen : 0;
	}
	return 0;
}

int txn_get(struct txn *t, struct store *s, const char *path,
	    struct nodeinfo *out)
{
	struct node_state st;

	if (resolve(t, s, path, out, &st) == SRC_STORE) {
		int ret = observe(t, path, &st);
		if (ret)
			return ret;
	}
	return out->exists ? 0 : -ENOENT;
}

/* Length of path's parent ("/a/b" -> 2, "/a" -> 1). */
static size_t parent_len(const char *path, size_t len)
{
	while (len > 1 && path[len - 1] != '/')
		len--;
	return len > 1 ? len - 1 : 1;
}

/*
 * Walk up from path to the nearest existing node.  *top_missing_len gets
 * the length of the highest missing node's path (0 if path exists).
 */
static int nearest_walk(struct txn *t, struct store *s, const char *path,
			struct nodeinfo *out, size_t *top_missing_len)
{
	char buf[PATH_BUF_SIZE];
	size_t len = strlen(path);
	struct node_state st;
	enum source src;

	memcpy(buf, path, len + 1);
	*top_missing_len = 0;
	for (;;) {
		src = resolve(t, s, buf, out, &st);
		if (out->exists)
			break;
		if (src == SRC_STORE) {
			int ret = observe(t, buf, &st);
			if (ret)
				return ret;
		}
		*top_missing_len = len;
		len = parent_len(buf, len);
		buf[len] = '\0';
	}
	if (src == SRC_STORE)
		return observe(t, buf, &st);
	return 0;
}

int txn_nearest(struct txn *t, struct store *s, const char *path,
		struct nodeinfo *out)
{
	size_t top;

	return nearest_walk(t, s, path, out, &top);
}

struct list_ctx {
	struct txn *t;
	char *cpath;		/* path + '/' + room for a name */
	size_t base;
	view_child_fn fn;
	void *arg;
};

/* A committed child, unless the transaction removed it. */
static int list_committed(void *arg, const char *name, size_t len)
{
	struct list_ctx *c = arg;

	memcpy(c->cpath + c->base, name, len);
	const struct tnode *ct = tn_find(c->t, c->cpath, c->base + len);
	/* Removed, or removed and made again: then listed with the new. */
	if (ct && ct->modified && (!ct->exists || ct->shadow))
		return 0;
	return c->fn(c->arg, name, len);
}

static int by_made_seq(const void *a, const void *b)
{
	const struct tnode *x = *(const struct tnode *const *)a;
	const struct tnode *y = *(const struct tnode *const *)b;

	return x->made_seq < y->made_seq ? -1 : x->made_seq > y->made_seq;
}

int txn_list(struct txn *t, struct store *s, const char *path,
	     view_child_fn fn, void *arg, uint64_t *cgen)
{
	struct nodeinfo info;
	struct node_state st, base = {0};
	enum source src = resolve(t, s, path, &info, &st);
	size_t len = strlen(path);
	size_t cbase = len == 1 ? 1 : len + 1; /* where child names start */
	struct tnode *tn;
	int ret;

	if (!info.exists) {
		/* Listing a missing node is a read too. */
		if (src == SRC_STORE && (ret = observe(t, path, &st)) != 0)
			return ret;
		return -ENOENT;
	}
	*cgen = info.cgen;
	if (src == SRC_STORE) {
		base = st;
	} else {
		tn = tn_find(t, path, len);
		if (!tn->shadow)
			committed(t, s, path, &base);
	}
	char cpath[PATH_BUF_SIZE + 1];
	memcpy(cpath, path, len);
	cpath[cbase - 1] = '/';
	if (base.exists) {
		/* The committed child list is part of what we saw. */
		ret = tn_get(t, path, len, &tn);
		if (ret)
			return ret;
		if (src == SRC_STORE && !tn->observed && !tn->modified) {
			tn->observed = true;
			tn->seen_exists = true;
			tn->seen_gen = base.gen;
		}
		if (!tn->listed) {
			tn->listed = true;
			tn->seen_cgen = base.cgen;
		}
		struct list_ctx c = {.t = t, .cpath = cpath, .base = cbase,
				     .fn = fn, .arg = arg};
		uint64_t at = store_snap_intact(s, &t->snap) ? t->snap.gen : UINT64_MAX;
		ret = store_list_at(s, path, at, list_committed, &c);
		if (ret)
			return ret;
	}
	/* Then children the transaction created, in creation order. */
	struct tnode **made = NULL;
	size_t nmade = 0;
	for (tn = t->order_head; tn; tn = tn->onext) {
		if (!tn->modified || !tn->exists || tn->plen <= cbase ||
		    parent_len(tn->path, tn->plen) != len ||
		    memcmp(tn->path, path, len) != 0 || tn->path[cbase - 1] != '/')
			continue;
		if (base.exists && !tn->shadow) {
			struct node_state cst;
			committed(t, s, tn->path, &cst);
			if (cst.exists)
				continue; /* the committed list had it */
		}
		struct tnode **nm = realloc(made, (nmade + 1) * sizeof(*made));
		if (!nm) {
			free(made);
			return -ENOMEM;
		}
		made = nm;
		made[nmade++] = tn;
	}
	if (nmade > 1)
		qsort(made, nmade, sizeof(*made), by_made_seq);
	ret = 0;
	for (size_t i = 0; i < nmade && !ret; i++)
		ret = fn(arg, made[i]->path + cbase, made[i]->plen - cbase);
	free(made);
	return ret;
}

static int log_op(struct txn *t, enum txop_kind kind, const char *path,
		  const void *value, size_t vlen, const struct xs_perm *perms,
		  uint32_t nperms)
{
	struct txop *op = calloc(1, sizeof(*op));

	if (!op)
		return -ENOMEM;
	op->kind = kind;
	op->path = strdup(path);
	if (vlen) {
		op->value = malloc(vlen);
		if (op->value)
			memcpy(op->value, value, vlen);
	}
	if (nperms) {
		op->perms = malloc(nperms * sizeof(*perms));
		if (op->perms)
			memcpy(op->perms, perms, nperms * sizeof(*perms));
	}
	if (!op->path || (vlen && !op->value) || (nperms && !op->perms)) {
		free(op->path);
		free(op->value);
		free(op->perms);
		free(op);
		return -ENOMEM;
	}
	op->vlen = (uint32_t)vlen;
	op->nperms = nperms;
	t->bytes += sizeof(*op) + strlen(path) + 1 + vlen +
		    (size_t)nperms * sizeof(*perms);
	if (t->ops_tail)
		t->ops_tail->next = op;
	else
		t->ops_head = op;
	t->ops_tail = op;
	t->nmods++;
	return 0;
}

static int set_private(struct txn *t, struct tnode *tn, const void *value, size_t vlen,
		       const struct xs_perm *perms, uint32_t nperms)
{
	char *v = NULL;
	struct xs_perm *p = malloc(nperms * sizeof(*p));

	if (vlen)
		v = malloc(vlen);
	if (!p || (vlen && !v)) {
		free(p);
		free(v);
		return -ENOMEM;
	}
	if (vlen)
		memcpy(v, value, vlen);
	memcpy(p, perms, nperms * sizeof(*p));
	if (!tn->modified || !tn->exists)
		tn->made_seq = ++t->made_count;
	tnode_clear_private(t, tn);
	tn->value = v;
	tn->vlen = (uint32_t)vlen;
	tn->perms = p;
	tn->nperms = nperms;
	t->bytes += vlen + (size_t)nperms * sizeof(*p);
	tn->modified = true;
	tn->exists = true;
	return 0;
}

int txn_write(struct txn *t, struct store *s, const char *path,
	      const void *value, size_t len, bool set_value,
	      const struct xs_perm *cperms, uint32_t ncperms)
{
	struct nodeinfo info;
	struct tnode *tn;
	size_t plen = strlen(path);
	int ret;

	ret = txn_get(t, s, path, &info);
	if (ret == 0) {
		if (!set_value)
			return 0;
		ret = tn_get(t, path, plen, &tn);
		if (ret)
			return ret;
		/* info may point into tn itself: set_private copies first. */
		ret = set_private(t, tn, value, len, info.perms, info.nperms);
		if (ret)
			return ret;
		return log_op(t, TXOP_WRITE, path, value, len, NULL, 0);
	}
	if (ret != -ENOENT)
		return ret;

	/* Create the missing chain, top down. */
	size_t top;
	ret = nearest_walk(t, s, path, &info, &top);
	if (ret)
		return ret;
	/* Take every tnode first: past the quota, change nothing. */
	for (size_t l = top; l <= plen; l++) {
		if (path[l] != '/' && path[l] != '\0')
			continue;
		ret = tn_get(t, path, l, &tn);
		if (ret)
			return ret;
	}
	for (size_t l = top; l <= plen; l++) {
		if (path[l] != '/' && path[l] != '\0')
			continue;
		struct node_state st;
		/* resolve needs a NUL-terminated prefix */
		char prefix[PATH_BUF_SIZE];
		memcpy(prefix, path, l);
		prefix[l] = '\0';
		enum source src = resolve(t, s, prefix, &info, &st);
		ret = tn_get(t, prefix, l, &tn);
		if (ret)
			return ret;
		bool shadow = src == SRC_HIDDEN || (src == SRC_PRIVATE && tn->shadow);
		bool last = l == plen;
		ret = set_private(t, tn, last && set_value ? value : NULL,
				  last && set_value ? len : 0, cperms, ncperms);
		if (ret)
			return ret;
		tn->shadow = shadow;
	}
	return log_op(t, set_value ? TXOP_WRITE : TXOP_MKDIR, path, value,
		      set_value ? len : 0, cperms, ncperms);
}

int txn_rm(struct txn *t, struct store *s, const char *path)
{
	struct nodeinfo info;
	struct tnode *tn;
	size_t plen = strlen(path);
	int ret = txn_get(t, s, path, &info);

	if (ret)
		return ret;
	if (plen == 1)
		return -EINVAL;
	ret = tn_get(t, path, plen, &tn);
	if (ret)
		return ret;
	ret = log_op(t, TXOP_RM, path, NULL, 0, NULL, 0);
	if (ret)
		return ret;
	tnode_clear_private(t, tn);
	tn->modified = true;
	tn->exists = false;
	tn->shadow = true;
	/* Everything the transaction knows below path is gone too. */
	for (struct tnode *d = t->order_head; d; d = d->onext) {
		if (d->plen > plen && d->path[plen] == '/' &&
		    memcmp(d->path, path, plen) == 0) {
			tnode_clear_private(t, d);
			d->modified = true;
			d->exists = false;
			d->shadow = true;
		}
	}
	return 0;
}

int txn_set_perms(struct txn *t, struct store *s, const char *path,
		  const struct xs_perm *perms, uint32_t nperms)
{
	struct nodeinfo info;
	struct tnode *tn;
	int ret = txn_get(t, s, path, &info);

	if (ret)
		return ret;
	ret = tn_get(t, path, strlen(path), &tn);
	if (ret)
		return ret;
	bool was_modified = tn->modified;
	bool shadow = tn->shadow;
	ret = set_private(t, tn, info.value, info.vlen, perms, nperms);
	if (ret)
		return ret;
	tn->shadow = was_modified && shadow;
	return log_op(t, TXOP_SETPERMS, path, NULL, 0, perms, nperms);
}

static bool still_valid(const struct tnode *tn, const struct store *s)
{
	if (!tn->observed && !tn->listed)
		return true;
	const struct node *n = store_lookup(s, tn->path);
	if (tn->observed) {
		if (tn->seen_exists != (n != NULL))
			return false;
		if (n && n->gen != tn->seen_gen)
			return false;
	}
	if (tn->listed && (!n || n->cgen != tn->seen_cgen))
		return false;
	return true;
}

int txn_commit(struct txn *t, struct store *s, struct changes *changes)
{
	if (!store_snap_intact(s, &t->snap))
		return -EAGAIN;
	for (const struct tnode *tn = t->order_head; tn; tn = tn->onext)
		if (!still_valid(tn, s))
			return -EAGAIN;

	struct view v = {.store = s, .txn = NULL, .changes = changes};
	int err = 0;
	for (const struct txop *op = t->ops_head; op; op = op->next) {
		int ret = 0;
		switch (op->kind) {
		case TXOP_WRITE:
		case TXOP_MKDIR: {
			/* A write to an existing node keeps its permissions. */
			ret = view_write(&v, op->path, op->value, op->vlen,
					 op->kind == TXOP_WRITE, op->perms,
					 op->nperms);
			break;
		}
		case TXOP_RM:
			ret = view_rm(&v, op->path);
			if (ret == -ENOENT)
				ret = 0;
			break;
		case TXOP_SETPERMS:
			ret = view_set_perms(&v, op->path, op->perms, op->nperms);
			break;
		}
		if (ret && !err)
			err = ret;
	}
	return err;
}

/* Save and restore; see txn.h. */

static const enum txn_op_image_kind kind_image[] = {
	[TXOP_WRITE] = TXN_IMG_WRITE, [TXOP_MKDIR] = TXN_IMG_MKDIR,
	[TXOP_RM] = TXN_IMG_RM, [TXOP_SETPERMS] = TXN_IMG_SETPERMS,
};

int txn_each_node(const struct txn *t,
		  int (*fn)(void *arg, const struct txn_node_image *img), void *arg)
{
	for (const struct tnode *tn = t->order_head; tn; tn = tn->onext) {
		struct txn_node_image img = {
			.path = tn->path, .observed = tn->observed,
			.seen_exists = tn->seen_exists, .listed = tn->listed,
			.modified = tn->modified, .exists = tn->exists,
			.shadow = tn->shadow, .seen_gen = tn->seen_gen,
			.seen_cgen = tn->seen_cgen, .made_seq = tn->made_seq,
			.value = tn->value, .vlen = tn->vlen,
			.perms = tn->perms, .nperms = tn->nperms,
		};
		int ret = fn(arg, &img);
		if (ret)
			return ret;
	}
	return 0;
}

int txn_each_op(const struct txn *t,
		int (*fn)(void *arg, const struct txn_op_image *img), void *arg)
{
	for (const struct txop *op = t->ops_head; op; op = op->next) {
		struct txn_op_image img = {
			.kind = kind_image[op->kind], .path = op->path,
			.value = op->value, .vlen = op->vlen,
			.perms = op->perms, .nperms = op->nperms,
		};
		int ret = fn(arg, &img);
		if (ret)
			return ret;
	}
	return 0;
}

struct txn *txn_restore_new(struct store *s, uint32_t id, uint32_t max_nodes,
			    uint64_t snap_gen, uint64_t nmods, uint64_t made_count)
{
	struct txn *t = txn_alloc(s, id, max_nodes);

	if (!t)
		return NULL;
	t->nmods = nmods;
	t->made_count = made_count;
	history_snap_open(&s->hist, &t->snap, snap_gen);
	return t;
}

int txn_restore_node(struct txn *t, const struct txn_node_image *img)
{
	size_t len = strlen(img->path);
	struct tnode *tn;

	if (tn_find(t, img->path, len))
		return -EEXIST;
	/* The original respected the quota: so does its image. */
	uint32_t max = t->max_nodes;
	t->max_nodes = 0;
	int ret = tn_get(t, img->path, len, &tn);
	t->max_nodes = max;
	if (ret)
		return ret;
	tn->observed = img->observed;
	tn->seen_exists = img->seen_exists;
	tn->listed = img->listed;
	tn->seen_gen = img->seen_gen;
	tn->seen_cgen = img->seen_cgen;
	if (img->modified && img->exists) {
		uint64_t made = t->made_count; /* restored by txn_restore_new */
		ret = set_private(t, tn, img->value, img->vlen, img->perms,
				  img->nperms);
		t->made_count = made;
		if (ret)
			return ret;
	}
	tn->modified = img->modified;
	tn->exists = img->exists;
	tn->shadow = img->shadow;
	tn->made_seq = img->made_seq;
	return 0;
}

int txn_restore_op(struct txn *t, const struct txn_op_image *img)
{
	static const enum txop_kind kinds[] = {
		[TXN_IMG_WRITE] = TXOP_WRITE, [TXN_IMG_MKDIR] = TXOP_MKDIR,
		[TXN_IMG_RM] = TXOP_RM, [TXN_IMG_SETPERMS] = TXOP_SETPERMS,
	};
	uint64_t nmods = t->nmods;

	if ((unsigned int)img->kind >= sizeof(kinds) / sizeof(kinds[0]))
		return -EINVAL;
	int ret = log_op(t, kinds[img->kind], img->path, img->value, img->vlen,
			 img->perms, img->nperms);
	t->nmods = nmods; /* restored by txn_restore_new */
	return ret;
}
