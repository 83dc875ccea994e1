/* SPDX-License-Identifier: MIT */
/* Change lists; see changes.h. */
#include "changes.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void changes_init(struct changes *c, bool dedupe)
{
	memset(c, 0, sizeof(*c));
	c->dedupe = dedupe;
}

void changes_release(struct changes *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].path);
		free(c->v[i].perms);
	}
	free(c->v);
	free(c->set);
	memset(c, 0, sizeof(*c));
}

static uint32_t hash_str(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

/* Index slot for path: either holding it, or the empty slot to use. */
static size_t set_slot(const struct changes *c, const char *path)
{
	size_t mask = c->setcap - 1;
	size_t i = hash_str(path) & mask;

	while (c->set[i] != UINT32_MAX && strcmp(c->v[c->set[i]].path, path) != 0)
		i = (i + 1) & mask;
	return i;
}

static int set_grow(struct changes *c)
{
	size_t ncap = c->setcap ? c->setcap * 2 : 64;
	uint32_t *nset = malloc(ncap * sizeof(*nset));

	if (!nset)
		return -ENOMEM;
	memset(nset, 0xff, ncap * sizeof(*nset));
	free(c->set);
	c->set = nset;
	c->setcap = ncap;
	for (size_t i = 0; i < c->n; i++)
		c->set[set_slot(c, c->v[i].path)] = (uint32_t)i;
	return 0;
}

void changes_add(struct changes *c, const char *path,
		 const struct change_perms *who, bool exact)
{
	const struct xs_perm *lists[CHANGE_PERM_SETS] = {who->node, who->parent,
							  who->old};
	uint32_t counts[CHANGE_PERM_SETS] = {who->nnode, who->nparent, who->nold};
	size_t total = 0;

	size_t slot = 0;

	if (c->dedupe) {
		if ((c->n + 1) * 2 > c->setcap && set_grow(c) != 0)
			goto fail;
		slot = set_slot(c, path);
		if (c->set[slot] != UINT32_MAX)
			return;
	}
	if (c->n == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 8;
		struct change *nv = realloc(c->v, ncap * sizeof(*nv));
		if (!nv)
			goto fail;
		c->v = nv;
		c->cap = ncap;
	}
	struct change *ch = &c->v[c->n];
	for (int i = 0; i < CHANGE_PERM_SETS; i++)
		total += lists[i] ? counts[i] : 0;
	ch->path = strdup(path);
	ch->perms = malloc(total ? total * sizeof(*ch->perms) : 1);
	if (!ch->path || !ch->perms) {
		free(ch->path);
		free(ch->perms);
		goto fail;
	}
	total = 0;
	for (int i = 0; i < CHANGE_PERM_SETS; i++) {
		ch->nperms[i] = lists[i] ? counts[i] : 0;
		if (ch->nperms[i])
			memcpy(ch->perms + total, lists[i],
			       ch->nperms[i] * sizeof(*ch->perms));
		total += ch->nperms[i];
	}
	ch->exact = exact;
	if (c->dedupe)
		c->set[slot] = (uint32_t)c->n;
	c->n++;
	return;
fail:
	c->error = -ENOMEM;
}
