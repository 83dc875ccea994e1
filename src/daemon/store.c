/* SPDX-License-Identifier: MIT */
/*
 * The node database; see store.h for what it owns and promises.
 *
 * Design note: the hash table is keyed by (parent pointer, component name)
 * rather than by full path.  A node then stores only its own component, so
 * deep trees cost no repeated prefixes, and a lookup hashes each component
 * once while walking down from the root.  Removal walks the subtree with an
 * explicit cursor (first child, then back up through parent pointers), so
 * a hostile 1000-level tree needs no recursion (XSA-418).
 */
#include "store.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/path.h"
#include "xenstore/wire.h"

#define INITIAL_BUCKETS 1024u
/* Bound on history kept for open transactions. */
#define HISTORY_MAX_BYTES (64u * 1024u * 1024u)

static uint32_t hash_child(const struct node *parent, const char *name,
			   size_t len)
{
	/* FNV-1a over the parent's address and the name. */
	uint64_t h = 1469598103934665603ull;
	uintptr_t p = (uintptr_t)parent;

	for (size_t i = 0; i < sizeof(p); i++) {
		h ^= (p >> (i * 8)) & 0xff;
		h *= 1099511628211ull;
	}
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)name[i];
		h *= 1099511628211ull;
	}
	return (uint32_t)(h ^ (h >> 32));
}

static void hash_insert(struct store *s, struct node *n)
{
	size_t b = n->hash & (s->nbuckets - 1);

	n->hnext = s->buckets[b];
	s->buckets[b] = n;
}

static void hash_unlink(struct store *s, struct node *n)
{
	struct node **pp = &s->buckets[n->hash & (s->nbuckets - 1)];

	while (*pp != n)
		pp = &(*pp)->hnext;
	*pp = n->hnext;
}

/* Double the table when it averages more than one node per bucket. */
static void hash_maybe_grow(struct store *s)
{
	if (s->count < s->nbuckets)
		return;
	size_t nb = s->nbuckets * 2;
	struct node **nbk = calloc(nb, sizeof(*nbk));

	if (!nbk)
		return; /* keep the smaller table: slower, still correct */
	for (size_t i = 0; i < s->nbuckets; i++) {
		struct node *n = s->buckets[i];
		while (n) {
			struct node *next = n->hnext;
			size_t b = n->hash & (nb - 1);
			n->hnext = nbk[b];
			nbk[b] = n;
			n = next;
		}
	}
	free(s->buckets);
	s->buckets = nbk;
	s->nbuckets = nb;
}

static struct node *node_new(struct node *parent, const char *name, size_t len,
			     const struct xs_perm *perms, uint32_t nperms)
{
	struct node *n = calloc(1, sizeof(*n) + len + 1);

	if (!n)
		return NULL;
	n->perms = malloc(nperms * sizeof(*perms));
	if (!n->perms) {
		free(n);
		return NULL;
	}
	memcpy(n->perms, perms, nperms * sizeof(*perms));
	n->nperms = nperms;
	memcpy(n->name, name, len);
	n->name[len] = '\0';
	n->namelen = (uint32_t)len;
	n->parent = parent;
	n->hash = hash_child(parent, name, len);
	return n;
}

static void observe(const struct store *s, enum store_change what,
		    const struct node *n, const char *path)
{
	if (s->observer)
		s->observer->changed(s->observer->arg, what, n, path);
}

static void node_free(struct node *n)
{
	free(n->value);
	free(n->perms);
	free(n);
}

static void state_of(const struct node *n, struct node_state *st)
{
	st->exists = true;
	st->value = n->value;
	st->vlen = n->vlen;
	st->perms = n->perms;
	st->nperms = n->nperms;
	st->gen = n->gen;
	st->cgen = n->cgen;
	st->cre_gen = n->cre_gen;
	st->pgen = n->pgen;
	st->nchildren = n->nchildren;
}

/* Save n's state before the change tagged gen, if a snapshot needs it. */
static void save_node(struct store *s, const struct node *n, const char *path,
		      uint64_t gen)
{
	char buf[PATH_BUF_SIZE];
	struct node_state st;

	if (!history_active(&s->hist))
		return;
	if (!path) {
		if (!store_path(n, buf, sizeof(buf)))
			return;
		path = buf;
	}
	state_of(n, &st);
	history_save(&s->hist, path, &st, gen);
}

/* Save "path did not exist" before the creation tagged gen. */
static void save_absent(struct store *s, const char *path, size_t len,
			uint64_t gen)
{
	char buf[PATH_BUF_SIZE];
	struct node_state st = {.exists = false};

	if (!history_active(&s->hist))
		return;
	memcpy(buf, path, len);
	buf[len] = '\0';
	history_save(&s->hist, buf, &st, gen);
}

uint64_t node_charge(const struct node *n)
{
	return sizeof(*n) + n->namelen + 1 + n->vlen +
	       (uint64_t)n->nperms * sizeof(*n->perms);
}

/* Count n for its owner (delta 1) or stop counting it (-1). */
static void owner_add(struct store *s, struct node *n, int delta)
{
	uint32_t owner = n->perms[0].domid;

	s->owner_nodes[owner] += (uint32_t)delta;
	if (delta > 0)
		s->owner_bytes[owner] += node_charge(n);
	else
		s->owner_bytes[owner] -= node_charge(n);
	if (!n->parent)
		return; /* the root is never in a list: it is never removed */
	if (delta > 0) {
		n->owner_prev = NULL;
		n->owner_next = s->owner_list[owner];
		if (n->owner_next)
			n->owner_next->owner_prev = n;
		s->owner_list[owner] = n;
	} else {
		if (n->owner_prev)
			n->owner_prev->owner_next = n->owner_next;
		else
			s->owner_list[owner] = n->owner_next;
		if (n->owner_next)
			n->owner_next->owner_prev = n->owner_prev;
		n->owner_prev = n->owner_next = NULL;
	}
}

static void link_child(struct store *s, struct node *parent, struct node *n)
{
	n->prev_sib = parent->last_child;
	n->next_sib = NULL;
	if (parent->last_child)
		parent->last_child->next_sib = n;
	else
		parent->first_child = n;
	parent->last_child = n;
	parent->nchildren++;
	parent->cgen = s->gen;
}

static void unlink_child(struct store *s, struct node *n)
{
	struct node *parent = n->parent;

	if (n->prev_sib)
		n->prev_sib->next_sib = n->next_sib;
	else
		parent->first_child = n->next_sib;
	if (n->next_sib)
		n->next_sib->prev_sib = n->prev_sib;
	else
		parent->last_child = n->prev_sib;
	parent->nchildren--;
	parent->cgen = s->gen;
}

int store_init(struct store *s)
{
	static const struct xs_perm root_perm = {.domid = 0, .access = PERM_NONE};

	memset(s, 0, sizeof(*s));
	s->nbuckets = INITIAL_BUCKETS;
	s->buckets = calloc(s->nbuckets, sizeof(*s->buckets));
	s->owner_nodes = calloc(PERM_DOMID_MAX + 1, sizeof(*s->owner_nodes));
	s->owner_list = calloc(PERM_DOMID_MAX + 1, sizeof(*s->owner_list));
	s->owner_bytes = calloc(PERM_DOMID_MAX + 1, sizeof(*s->owner_bytes));
	s->root = node_new(NULL, "", 0, &root_perm, 1);
	if (!s->buckets || !s->owner_nodes || !s->owner_list ||
	    !s->owner_bytes || !s->root ||
	    history_init(&s->hist, HISTORY_MAX_BYTES) != 0) {
		store_release(s);
		return -ENOMEM;
	}
	s->gen = 1;
	s->root->gen = s->root->cgen = s->root->pgen = s->gen;
	s->count = 1;
	owner_add(s, s->root, 1);
	return 0;
}

void store_release(struct store *s)
{
	if (s->root) {
		/* Free everything through the hash table: no tree walk needed. */
		for (size_t i = 0; i < s->nbuckets; i++) {
			struct node *n = s->buckets[i];
			while (n) {
				struct node *next = n->hnext;
				node_free(n);
				n = next;
			}
		}
		node_free(s->root);
	}
	free(s->buckets);
	free(s->owner_nodes);
	free(s->owner_list);
	free(s->owner_bytes);
	history_release(&s->hist);
	memset(s, 0, sizeof(*s));
}

struct node *store_child(const struct store *s, const struct node *parent,
			 const char *name, size_t len)
{
	uint32_t h = hash_child(parent, name, len);

	for (struct node *n = s->buckets[h & (s->nbuckets - 1)]; n; n = n->hnext)
		if (n->hash == h && n->parent == parent && n->namelen == len &&
		    memcmp(n->name, name, len) == 0)
			return n;
	return NULL;
}

struct node *store_nearest(const struct store *s, const char *path, size_t *len)
{
	struct node *cur = s->root;
	const char *p = path + 1;

	*len = 1;
	while (*p) {
		const char *end = strchr(p, '/');
		size_t clen = end ? (size_t)(end - p) : strlen(p);
		struct node *child = store_child(s, cur, p, clen);

		if (!child)
			break;
		cur = child;
		*len = (size_t)(p - path) + clen;
		p += clen;
		if (*p == '/')
			p++;
	}
	return cur;
}

struct node *store_lookup(const struct store *s, const char *path)
{
	size_t len;
	struct node *n = store_nearest(s, path, &len);

	return path[len] == '\0' ? n : NULL;
}

int store_create(struct store *s, const char *path, const struct xs_perm *perms,
		 uint32_t nperms, struct node **out)
{
	size_t len;
	struct node *cur = store_nearest(s, path, &len);
	struct node *first_new = NULL;
	const char *p = path + len;

	/* Paths longer than the protocol allows would not fit the buffers
	 * that removal and history build them in. */
	if (strlen(path) > XS_ABS_PATH_MAX)
		return -EINVAL;
	if (*p == '\0') {
		*out = cur;
		return 0;
	}
	s->gen++;
	if (history_active(&s->hist)) {
		/* The parent's child list changes: keep its old state. */
		char pbuf[PATH_BUF_SIZE];
		memcpy(pbuf, path, len);
		pbuf[len] = '\0';
		save_node(s, cur, pbuf, s->gen);
	}
	while (*p) {
		if (*p == '/')
			p++;
		const char *end = strchr(p, '/');
		size_t clen = end ? (size_t)(end - p) : strlen(p);
		save_absent(s, path, (size_t)(p - path) + clen, s->gen);
		struct node *n = node_new(cur, p, clen, perms, nperms);

		if (!n) {
			if (first_new) {
				/* Undoing what nobody was told of: silently. */
				const struct store_observer *o = s->observer;
				s->observer = NULL;
				store_remove(s, first_new, NULL, NULL, NULL);
				s->observer = o;
			}
			return -ENOMEM;
		}
		n->gen = n->cgen = n->cre_gen = n->pgen = s->gen;
		link_child(s, cur, n);
		hash_insert(s, n);
		s->count++;
		owner_add(s, n, 1);
		if (!first_new)
			first_new = n;
		cur = n;
		p += clen;
	}
	hash_maybe_grow(s);
	*out = cur;
	observe(s, STORE_CREATED, cur, path);
	return 0;
}

int store_set_value(struct store *s, struct node *n, const void *value,
		    size_t len)
{
	char *copy = NULL;

	if (len) {
		copy = malloc(len);
		if (!copy)
			return -ENOMEM;
		memcpy(copy, value, len);
	}
	save_node(s, n, NULL, s->gen + 1);
	s->value_bytes = s->value_bytes - n->vlen + len;
	s->owner_bytes[n->perms[0].domid] += (uint64_t)len - n->vlen;
	free(n->value);
	n->value = copy;
	n->vlen = (uint32_t)len;
	n->gen = ++s->gen;
	observe(s, STORE_VALUE, n, NULL);
	return 0;
}

int store_set_perms(struct store *s, struct node *n, const struct xs_perm *perms,
		    uint32_t nperms)
{
	struct xs_perm *copy = malloc(nperms * sizeof(*copy));

	if (!copy)
		return -ENOMEM;
	memcpy(copy, perms, nperms * sizeof(*copy));
	save_node(s, n, NULL, s->gen + 1);
	owner_add(s, n, -1);
	free(n->perms);
	n->perms = copy;
	n->nperms = nperms;
	owner_add(s, n, 1);
	n->gen = n->pgen = ++s->gen;
	observe(s, STORE_PERMS, n, NULL);
	return 0;
}

void store_remove(struct store *s, struct node *top, const char *path,
		  store_visit_fn visit, void *arg)
{
	char buf[PATH_BUF_SIZE];
	size_t blen = 0;
	struct node *cur = top;
	bool paths = visit || history_active(&s->hist);

	observe(s, STORE_REMOVED, top, path);
	if (paths) {
		if (path) {
			blen = strlen(path);
			memcpy(buf, path, blen + 1);
		} else {
			blen = store_path(top, buf, sizeof(buf));
		}
	}
	s->gen++;
	save_node(s, top->parent, NULL, s->gen);
	for (;;) {
		while (cur->first_child) {
			cur = cur->first_child;
			if (paths) {
				/* Paths are <= 3072 bytes, so this fits. */
				buf[blen++] = '/';
				memcpy(buf + blen, cur->name, cur->namelen + 1);
				blen += cur->namelen;
			}
		}
		if (visit)
			visit(arg, cur, buf);
		if (paths)
			save_node(s, cur, buf, s->gen);
		struct node *parent = cur->parent;
		unlink_child(s, cur);
		hash_unlink(s, cur);
		owner_add(s, cur, -1);
		s->value_bytes -= cur->vlen;
		s->count--;
		bool done = cur == top;
		if (paths && !done) {
			blen -= cur->namelen + 1;
			buf[blen] = '\0';
		}
		node_free(cur);
		if (done)
			break;
		cur = parent;
	}
}

void store_snap_open(struct store *s, struct snap *sn)
{
	history_snap_open(&s->hist, sn, s->gen);
}

void store_snap_close(struct store *s, struct snap *sn)
{
	history_snap_close(&s->hist, sn);
}

bool store_snap_intact(const struct store *s, const struct snap *sn)
{
	return history_snap_intact(&s->hist, sn);
}

void store_state_at(const struct store *s, const char *path, uint64_t gen,
		    struct node_state *out)
{
	if (history_state_at(&s->hist, path, gen, out))
		return;
	const struct node *n = store_lookup(s, path);
	if (n)
		state_of(n, out);
	else
		memset(out, 0, sizeof(*out));
}

/* A child as of gen, with its creation generation: lists sort by it. */
struct kid {
	const char *name;
	size_t len;
	uint64_t cre_gen;
};

struct list_at_ctx {
	const struct store *s;
	const struct node *cur;	/* the node at path now, or NULL */
	uint64_t gen;
	char *buf;		/* path + '/' + room for a name */
	size_t base;
	struct kid *kids;	/* the children found, names not owned */
	size_t n, cap;
	int err;		/* -ENOMEM once kids could not grow */
};

static void kid_add(struct list_at_ctx *c, const char *name, size_t len,
		    uint64_t cre_gen)
{
	if (c->n == c->cap) {
		size_t ncap = c->cap ? 2 * c->cap : 16;
		struct kid *nk = realloc(c->kids, ncap * sizeof(*nk));
		if (!nk) {
			c->err = -ENOMEM;
			return;
		}
		c->kids = nk;
		c->cap = ncap;
	}
	c->kids[c->n++] = (struct kid){.name = name, .len = len, .cre_gen = cre_gen};
}

/* A removed child is kept if it existed at gen and is gone now. */
static int list_removed(void *arg, const char *name, size_t len)
{
	struct list_at_ctx *c = arg;
	struct node_state st;

	if (c->cur && store_child(c->s, c->cur, name, len))
		return 0; /* found among the current children */
	memcpy(c->buf + c->base, name, len);
	c->buf[c->base + len] = '\0';
	store_state_at(c->s, c->buf, c->gen, &st);
	if (st.exists)
		kid_add(c, name, len, st.cre_gen);
	return 0;
}

static int by_cre(const void *a, const void *b)
{
	const struct kid *x = a, *y = b;

	return x->cre_gen < y->cre_gen ? -1 : x->cre_gen > y->cre_gen;
}

int store_list_at(const struct store *s, const char *path, uint64_t gen,
		  history_name_fn fn, void *arg)
{
	char buf[PATH_BUF_SIZE + 1];
	size_t plen = strlen(path);
	struct list_at_ctx c = {.s = s, .cur = store_lookup(s, path), .gen = gen,
				.buf = buf};
	int ret = 0;

	memcpy(buf, path, plen);
	c.base = plen == 1 ? 1 : plen + 1;
	buf[c.base - 1] = '/';
	if (c.cur) {
		/* Current children, less those created after gen. */
		for (const struct node *ch = c.cur->first_child; ch; ch = ch->next_sib) {
			struct node_state st;
			if (c.base + ch->namelen >= sizeof(buf))
				continue;
			memcpy(buf + c.base, ch->name, ch->namelen + 1);
			store_state_at(s, buf, gen, &st);
			if (st.exists)
				kid_add(&c, ch->name, ch->namelen, st.cre_gen);
		}
	}
	if (history_active(&s->hist))
		history_children(&s->hist, path, list_removed, &c);
	/* Siblings are linked in creation order: the order as of gen. */
	if (!c.err && c.n > 1)
		qsort(c.kids, c.n, sizeof(*c.kids), by_cre);
	for (size_t i = 0; i < c.n && !ret && !c.err; i++)
		ret = fn(arg, c.kids[i].name, c.kids[i].len);
	free(c.kids);
	return c.err ? c.err : ret;
}

size_t store_path(const struct node *n, char *buf, size_t size)
{
	size_t len = 0;

	if (!n->parent) {
		if (size < 2)
			return 0;
		buf[0] = '/';
		buf[1] = '\0';
		return 1;
	}
	for (const struct node *c = n; c->parent; c = c->parent)
		len += c->namelen + 1;
	if (len + 1 > size)
		return 0;
	buf[len] = '\0';
	size_t pos = len;
	for (const struct node *c = n; c->parent; c = c->parent) {
		pos -= c->namelen;
		memcpy(buf + pos, c->name, c->namelen);
		buf[--pos] = '/';
	}
	return len;
}

struct node *store_owned_node(const struct store *s, uint32_t domid)
{
	return domid <= PERM_DOMID_MAX ? s->owner_list[domid] : NULL;
}

uint64_t store_owner_bytes(const struct store *s, uint32_t domid)
{
	return domid <= PERM_DOMID_MAX ? s->owner_bytes[domid] : 0;
}

uint32_t store_owner_nodes(const struct store *s, uint32_t domid)
{
	return domid <= PERM_DOMID_MAX ? s->owner_nodes[domid] : 0;
}

static int check_fail(char *msg, size_t size, const char *what,
		      const struct node *n)
{
	char path[PATH_BUF_SIZE];

	if (!store_path(n, path, sizeof(path)))
		strcpy(path, "?");
	snprintf(msg, size, "%s at %s", what, path);
	return -EIO;
}

int store_check(const struct store *s, char *msg, size_t msgsize)
{
	size_t seen = 0, vbytes = 0;
	uint32_t *owners = calloc(PERM_DOMID_MAX + 1, sizeof(*owners));
	uint64_t *obytes = calloc(PERM_DOMID_MAX + 1, sizeof(*obytes));
	const struct node *cur = s->root;
	int ret = 0;

	if (!owners || !obytes) {
		free(owners);
		free(obytes);
		snprintf(msg, msgsize, "out of memory");
		return -ENOMEM;
	}
	/* Pre-order walk with parent pointers: no recursion. */
	while (cur) {
		uint32_t nkids = 0;

		seen++;
		vbytes += cur->vlen;
		if (cur->nperms == 0 || cur->perms[0].domid > PERM_DOMID_MAX) {
			ret = check_fail(msg, msgsize, "bad permissions", cur);
			goto out;
		}
		owners[cur->perms[0].domid]++;
		obytes[cur->perms[0].domid] += node_charge(cur);
		for (const struct node *c = cur->first_child; c; c = c->next_sib) {
			nkids++;
			if (c->parent != cur ||
			    store_child(s, cur, c->name, c->namelen) != c) {
				ret = check_fail(msg, msgsize, "broken child link", c);
				goto out;
			}
			if (c->next_sib && c->next_sib->prev_sib != c) {
				ret = check_fail(msg, msgsize, "broken sibling list", c);
				goto out;
			}
			if (c->gen > s->gen || c->cgen > s->gen) {
				ret = check_fail(msg, msgsize, "generation from the future", c);
				goto out;
			}
		}
		if (nkids != cur->nchildren) {
			ret = check_fail(msg, msgsize, "child count wrong", cur);
			goto out;
		}
		if (cur->first_child) {
			cur = cur->first_child;
			continue;
		}
		while (cur && !cur->next_sib)
			cur = cur->parent;
		if (cur)
			cur = cur->next_sib;
	}
	if (seen != s->count) {
		snprintf(msg, msgsize, "%zu nodes in tree, %zu counted", seen, s->count);
		ret = -EIO;
		goto out;
	}
	if (vbytes != s->value_bytes) {
		snprintf(msg, msgsize, "value bytes %zu, counted %zu", vbytes,
			 s->value_bytes);
		ret = -EIO;
		goto out;
	}
	for (uint32_t d = 0; d <= PERM_DOMID_MAX; d++) {
		uint32_t listed = d == s->root->perms[0].domid ? 1 : 0;
		for (const struct node *n = s->owner_list[d]; n; n = n->owner_next) {
			if (n->perms[0].domid != d || !n->parent ||
			    (n->owner_next && n->owner_next->owner_prev != n)) {
				ret = check_fail(msg, msgsize, "broken owner list", n);
				goto out;
			}
			listed++;
		}
		if (listed != owners[d]) {
			snprintf(msg, msgsize, "domain %" PRIu32 " owns %" PRIu32
				 " nodes, %" PRIu32 " listed", d, owners[d], listed);
			ret = -EIO;
			goto out;
		}
		if (owners[d] != s->owner_nodes[d]) {
			snprintf(msg, msgsize,
				 "domain %" PRIu32 " owns %" PRIu32 " nodes, counted %" PRIu32,
				 d, owners[d], s->owner_nodes[d]);
			ret = -EIO;
			goto out;
		}
		if (obytes[d] != s->owner_bytes[d]) {
			snprintf(msg, msgsize,
				 "domain %" PRIu32 " owns %" PRIu64 " bytes, counted %" PRIu64,
				 d, obytes[d], s->owner_bytes[d]);
			ret = -EIO;
			goto out;
		}
	}
	snprintf(msg, msgsize, "OK");
out:
	free(owners);
	free(obytes);
	return ret;
}
