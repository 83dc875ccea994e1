/* SPDX-License-Identifier: MIT */
/*
 * History of node states for transaction snapshots; see history.h.
 *
 * Records of one path form a list in generation order, hung off a
 * hist_path entry found through a hash of the path.  hist_path entries also
 * link to their parent's entry, so a listing at an old generation can find
 * children that have since been removed.  All records also form one FIFO
 * in generation order: pruning and the size bound always take the oldest,
 * which is then also the first of its path's list.
 */
#include "history.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct hist_rec {
	struct hist_rec *fifo_next;
	struct hist_rec *path_next;
	struct hist_path *hp;
	uint64_t gen;		/* generation of the change that followed */
	struct node_state st;	/* value and perms point into data */
	size_t size;		/* bytes charged */
	char data[];		/* value, then perms */
};

struct hist_path {
	struct hist_path *hnext;
	struct hist_path *parent;
	struct hist_path *kids, *kid_next, *kid_prev;
	struct hist_rec *first, *last;
	uint32_t nkids;
	uint32_t hash;
	size_t plen;
	char path[];
};

#define FNV_INIT 2166136261u
#define FNV_STEP(h, c) (((h) ^ (unsigned char)(c)) * 16777619u)

static uint32_t hash_path(const char *p, size_t len)
{
	uint32_t h = FNV_INIT;

	for (size_t i = 0; i < len; i++)
		h = FNV_STEP(h, p[i]);
	return h;
}

int history_init(struct history *h, size_t max_bytes)
{
	memset(h, 0, sizeof(*h));
	h->nbuckets = 256;
	h->buckets = calloc(h->nbuckets, sizeof(*h->buckets));
	h->max_bytes = max_bytes;
	return h->buckets ? 0 : -ENOMEM;
}

static struct hist_path *hp_find(const struct history *h, const char *path,
				 size_t len)
{
	uint32_t hash = hash_path(path, len);

	for (struct hist_path *hp = h->buckets[hash & (h->nbuckets - 1)]; hp;
	     hp = hp->hnext)
		if (hp->hash == hash && hp->plen == len &&
		    memcmp(hp->path, path, len) == 0)
			return hp;
	return NULL;
}

static void hp_grow(struct history *h)
{
	size_t nb = h->nbuckets * 2;
	struct hist_path **nbk = calloc(nb, sizeof(*nbk));

	if (!nbk)
		return;
	for (size_t i = 0; i < h->nbuckets; i++) {
		for (struct hist_path *hp = h->buckets[i]; hp;) {
			struct hist_path *next = hp->hnext;
			hp->hnext = nbk[hp->hash & (nb - 1)];
			nbk[hp->hash & (nb - 1)] = hp;
			hp = next;
		}
	}
	free(h->buckets);
	h->buckets = nbk;
	h->nbuckets = nb;
}

static void hp_put(struct history *h, struct hist_path *hp);

static size_t parent_len(const char *path, size_t len)
{
	while (len > 1 && path[len - 1] != '/')
		len--;
	return len > 1 ? len - 1 : 1;
}

static struct hist_path *hp_new(struct history *h, const char *path, size_t len,
				 struct hist_path *parent)
{
	struct hist_path *hp = calloc(1, sizeof(*hp) + len + 1);

	if (!hp)
		return NULL;
	memcpy(hp->path, path, len);
	hp->plen = len;
	hp->hash = hash_path(path, len);
	hp->parent = parent;
	if (parent) {
		hp->kid_next = parent->kids;
		if (parent->kids)
			parent->kids->kid_prev = hp;
		parent->kids = hp;
		parent->nkids++;
	}
	size_t b = hp->hash & (h->nbuckets - 1);
	hp->hnext = h->buckets[b];
	h->buckets[b] = hp;
	h->npaths++;
	if (h->npaths > h->nbuckets)
		hp_grow(h);
	return hp;
}

/* No path has more components than this. */
#define MAX_DEPTH (3072 / 2 + 2)

/*
 * Find or add the entry for path[0..len), adding entries for its parents
 * first: walk up to the nearest existing one, then create downwards.
 */
static struct hist_path *hp_get(struct history *h, const char *path, size_t len)
{
	size_t lens[MAX_DEPTH];
	unsigned int n = 0;
	struct hist_path *hp = NULL;

	for (size_t l = len;; l = parent_len(path, l)) {
		hp = hp_find(h, path, l);
		if (hp || n == MAX_DEPTH)
			break;
		lens[n++] = l;
		if (l == 1)
			break;
	}
	while (n > 0) {
		struct hist_path *child = hp_new(h, path, lens[--n], hp);
		if (!child) {
			hp_put(h, hp);
			return NULL;
		}
		hp = child;
	}
	return hp;
}

/* Free entries left with no records and no children, walking upwards. */
static void hp_put(struct history *h, struct hist_path *hp)
{
	while (hp && !hp->first && hp->nkids == 0) {
		struct hist_path *parent = hp->parent;
		struct hist_path **pp = &h->buckets[hp->hash & (h->nbuckets - 1)];
		while (*pp != hp)
			pp = &(*pp)->hnext;
		*pp = hp->hnext;
		if (parent) {
			if (hp->kid_prev)
				hp->kid_prev->kid_next = hp->kid_next;
			else
				parent->kids = hp->kid_next;
			if (hp->kid_next)
				hp->kid_next->kid_prev = hp->kid_prev;
			parent->nkids--;
		}
		h->npaths--;
		free(hp);
		hp = parent;
	}
}

/* Drop the oldest record. */
static void drop_head(struct history *h)
{
	struct hist_rec *r = h->fifo_head;
	struct hist_path *hp = r->hp;

	h->fifo_head = r->fifo_next;
	if (!h->fifo_head)
		h->fifo_tail = NULL;
	/* Same generation order: it is also first of its path. */
	hp->first = r->path_next;
	if (!hp->first)
		hp->last = NULL;
	h->bytes -= r->size;
	h->records--;
	free(r);
	hp_put(h, hp);
}

static void prune(struct history *h)
{
	uint64_t min = h->snaps_head ? h->snaps_head->gen : UINT64_MAX;

	while (h->fifo_head && h->fifo_head->gen <= min)
		drop_head(h);
}

void history_release(struct history *h)
{
	while (h->fifo_head)
		drop_head(h);
	free(h->buckets);
	memset(h, 0, sizeof(*h));
}

void history_snap_open(struct history *h, struct snap *sn, uint64_t gen)
{
	sn->gen = gen;
	sn->next = NULL;
	sn->prev = h->snaps_tail;
	if (h->snaps_tail)
		h->snaps_tail->next = sn;
	else
		h->snaps_head = sn;
	h->snaps_tail = sn;
}

void history_snap_close(struct history *h, struct snap *sn)
{
	if (sn->prev)
		sn->prev->next = sn->next;
	else
		h->snaps_head = sn->next;
	if (sn->next)
		sn->next->prev = sn->prev;
	else
		h->snaps_tail = sn->prev;
	sn->prev = sn->next = NULL;
	prune(h);
}

bool history_snap_intact(const struct history *h, const struct snap *sn)
{
	return sn->gen >= h->lost_gen;
}

void history_save(struct history *h, const char *path, const struct node_state *st,
		  uint64_t gen)
{
	if (!history_active(h))
		return;
	size_t plen = strlen(path);
	struct hist_path *hp = hp_get(h, path, plen);
	if (!hp) {
		h->lost_gen = gen;
		return;
	}
	if (hp->last && hp->last->gen == gen)
		return; /* the state before this change is already saved */

	size_t vlen = st->exists ? st->vlen : 0;
	size_t pbytes = st->exists ? st->nperms * sizeof(struct xs_perm) : 0;
	struct hist_rec *r = malloc(sizeof(*r) + pbytes + vlen);
	if (!r) {
		h->lost_gen = gen;
		hp_put(h, hp);
		return;
	}
	r->gen = gen;
	r->hp = hp;
	r->st = *st;
	r->fifo_next = r->path_next = NULL;
	if (pbytes) {
		memcpy(r->data, st->perms, pbytes);
		r->st.perms = (const struct xs_perm *)(void *)r->data;
	}
	if (vlen) {
		memcpy(r->data + pbytes, st->value, vlen);
		r->st.value = r->data + pbytes;
	} else {
		r->st.value = NULL;
	}
	r->size = sizeof(*r) + pbytes + vlen + sizeof(*hp) + plen;
	if (hp->last)
		hp->last->path_next = r;
	else
		hp->first = r;
	hp->last = r;
	if (h->fifo_tail)
		h->fifo_tail->fifo_next = r;
	else
		h->fifo_head = r;
	h->fifo_tail = r;
	h->bytes += r->size;
	h->records++;
	/* Over the bound: the oldest records go, and with them the
	 * snapshots that needed them. */
	while (h->bytes > h->max_bytes && h->fifo_head && h->fifo_head != r) {
		if (h->fifo_head->gen > h->lost_gen)
			h->lost_gen = h->fifo_head->gen;
		drop_head(h);
	}
}

bool history_state_at(const struct history *h, const char *path, uint64_t gen,
		      struct node_state *out)
{
	const struct hist_path *hp = hp_find(h, path, strlen(path));

	if (!hp)
		return false;
	for (const struct hist_rec *r = hp->first; r; r = r->path_next) {
		if (r->gen > gen) {
			*out = r->st;
			return true;
		}
	}
	return false;
}

int history_children(const struct history *h, const char *path,
		     history_name_fn fn, void *arg)
{
	size_t plen = strlen(path);
	const struct hist_path *hp = hp_find(h, path, plen);
	size_t skip = plen == 1 ? 1 : plen + 1;

	if (!hp)
		return 0;
	for (const struct hist_path *k = hp->kids; k; k = k->kid_next) {
		int ret = fn(arg, k->path + skip, k->plen - skip);
		if (ret)
			return ret;
	}
	return 0;
}

int history_each(const struct history *h,
		 int (*fn)(void *arg, const char *path, uint64_t gen,
			   const struct node_state *st),
		 void *arg)
{
	for (const struct hist_rec *r = h->fifo_head; r; r = r->fifo_next) {
		int ret = fn(arg, r->hp->path, r->gen, &r->st);
		if (ret)
			return ret;
	}
	return 0;
}
