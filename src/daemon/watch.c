/* SPDX-License-Identifier: MIT */
/* The watch index; see watch.h. */
#include "watch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <stdio.h>

#include "common/path.h"

#define FNV_INIT 2166136261u
#define FNV_STEP(h, c) (((h) ^ (unsigned char)(c)) * 16777619u)

static uint32_t hash_bytes(const char *p, size_t len)
{
	uint32_t h = FNV_INIT;

	for (size_t i = 0; i < len; i++)
		h = FNV_STEP(h, p[i]);
	return h;
}

static void observe(const struct watch_index *idx, const struct watch *w,
		    bool added)
{
	if (idx->observer)
		idx->observer->changed(idx->observer->arg, w, added);
}

int watch_index_init(struct watch_index *idx)
{
	idx->observer = NULL;
	idx->nbuckets = 256;
	idx->count = 0;
	idx->buckets = calloc(idx->nbuckets, sizeof(*idx->buckets));
	return idx->buckets ? 0 : -ENOMEM;
}

void watch_index_release(struct watch_index *idx)
{
	free(idx->buckets);
	idx->buckets = NULL;
	idx->nbuckets = 0;
}

static void index_grow(struct watch_index *idx)
{
	size_t nb = idx->nbuckets * 2;
	struct watch **nbk = calloc(nb, sizeof(*nbk));

	if (!nbk)
		return;
	for (size_t i = 0; i < idx->nbuckets; i++) {
		for (struct watch *w = idx->buckets[i]; w;) {
			struct watch *next = w->hnext;
			size_t b = w->hash & (nb - 1);
			w->hnext = nbk[b];
			nbk[b] = w;
			w = next;
		}
	}
	free(idx->buckets);
	idx->buckets = nbk;
	idx->nbuckets = nb;
}

static struct watch *find_owned(struct watch *list, const char *path,
				const char *token)
{
	for (struct watch *w = list; w; w = w->onext)
		if (strcmp(w->path, path) == 0 && strcmp(w->token, token) == 0)
			return w;
	return NULL;
}

int watch_add(struct watch_index *idx, void *owner, struct watch **owner_list,
	      const char *path, const char *token, uint32_t rel_len, int depth,
	      struct watch **out)
{
	size_t plen = strlen(path), tlen = strlen(token);

	if (find_owned(*owner_list, path, token))
		return -EEXIST;
	struct watch *w = malloc(sizeof(*w) + plen + 1 + tlen + 1);
	if (!w)
		return -ENOMEM;
	memcpy(w->path, path, plen + 1);
	w->token = w->path + plen + 1;
	memcpy(w->token, token, tlen + 1);
	w->plen = plen;
	w->owner = owner;
	w->rel_len = rel_len;
	w->depth = depth;
	w->hash = hash_bytes(path, plen);
	size_t b = w->hash & (idx->nbuckets - 1);
	w->hnext = idx->buckets[b];
	idx->buckets[b] = w;
	w->onext = *owner_list;
	*owner_list = w;
	idx->count++;
	if (idx->count > idx->nbuckets)
		index_grow(idx);
	*out = w;
	observe(idx, w, true);
	return 0;
}

static void unindex(struct watch_index *idx, struct watch *w)
{
	struct watch **pp = &idx->buckets[w->hash & (idx->nbuckets - 1)];

	while (*pp != w)
		pp = &(*pp)->hnext;
	*pp = w->hnext;
	idx->count--;
}

int watch_remove(struct watch_index *idx, struct watch **owner_list,
		 const char *path, const char *token)
{
	for (struct watch **pp = owner_list; *pp; pp = &(*pp)->onext) {
		struct watch *w = *pp;
		if (strcmp(w->path, path) == 0 && strcmp(w->token, token) == 0) {
			observe(idx, w, false);
			*pp = w->onext;
			unindex(idx, w);
			free(w);
			return 0;
		}
	}
	return -ENOENT;
}

void watch_remove_all(struct watch_index *idx, struct watch **owner_list)
{
	while (*owner_list) {
		struct watch *w = *owner_list;
		observe(idx, w, false);
		*owner_list = w->onext;
		unindex(idx, w);
		free(w);
	}
}

/* Deliver to watches on path[0..plen) whose depth reaches event depth. */
static void fire_bucket(struct watch_index *idx, const char *path, size_t plen,
			uint32_t h, unsigned int below, watch_deliver_fn deliver,
			void *arg)
{
	struct watch *w = idx->buckets[h & (idx->nbuckets - 1)];

	while (w) {
		/* deliver may not remove watches, so next is safe */
		struct watch *next = w->hnext;
		if (w->hash == h && w->plen == plen &&
		    memcmp(w->path, path, plen) == 0 &&
		    (w->depth < 0 || below <= (unsigned int)w->depth))
			deliver(arg, w, path);
		w = next;
	}
}

void watch_fire(struct watch_index *idx, const char *path, bool exact,
		watch_deliver_fn deliver, void *arg)
{
	size_t len = strlen(path);

	if (exact || path[0] != '/') {
		fire_bucket(idx, path, len, hash_bytes(path, len), 0, deliver, arg);
		return;
	}
	unsigned int depth = path_depth(path);
	unsigned int level = 0; /* depth of the current prefix */
	uint32_t h = FNV_INIT;

	for (size_t i = 0; i < len; i++) {
		h = FNV_STEP(h, path[i]);
		size_t plen = i + 1;
		if (plen == 1 || plen == len || path[plen] == '/') {
			if (plen > 1)
				level++;
			fire_bucket(idx, path, plen, h, depth - level, deliver, arg);
		}
	}
}

void watch_fire_special(struct watch_index *idx, const char *base,
			unsigned int domid, watch_deliver_fn deliver, void *arg)
{
	char named[64];
	size_t blen = strlen(base);
	uint32_t h = hash_bytes(base, blen);
	int n = snprintf(named, sizeof(named), "%s/%u", base, domid);

	if (n < 0 || (size_t)n >= sizeof(named))
		return;
	for (struct watch *w = idx->buckets[h & (idx->nbuckets - 1)]; w;) {
		struct watch *next = w->hnext;
		if (w->hash == h && w->plen == blen && memcmp(w->path, base, blen) == 0)
			deliver(arg, w, w->depth >= 1 ? named : base);
		w = next;
	}
	fire_bucket(idx, named, (size_t)n, hash_bytes(named, (size_t)n), 0, deliver,
		    arg);
}

const char *watch_event_path(const struct watch *w, const char *path)
{
	if (w->rel_len && strlen(path) >= w->rel_len)
		return path + w->rel_len;
	return path;
}
