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

/* Fill ch's permission lists from who (copies). */
static int set_perms(struct change *ch, const struct change_perms *who)
{
	const struct xs_perm *lists[CHANGE_PERM_SETS] = {who->node, who->parent,
							  who->old};
	uint32_t counts[CHANGE_PERM_SETS] = {who->nnode, who->nparent, who->nold};
	const uint64_t pgens[CHANGE_PERM_SETS] = {who->pnode, who->pparent,
						  who->pold};
	size_t total = 0;

	for (int i = 0; i < CHANGE_PERM_SETS; i++)
		total += lists[i] ? counts[i] : 0;
	struct xs_perm *v = malloc(total ? total * sizeof(*v) : 1);
	if (!v)
		return -ENOMEM;
	total = 0;
	for (int i = 0; i < CHANGE_PERM_SETS; i++) {
		ch->nperms[i] = lists[i] ? counts[i] : 0;
		ch->pgen[i] = pgens[i];
		if (ch->nperms[i])
			memcpy(v + total, lists[i], ch->nperms[i] * sizeof(*v));
		total += ch->nperms[i];
	}
	free(ch->perms);
	ch->perms = v;
	return 0;
}

/*
 * A path changed again (in one commit): those who could read it at the
 * start - its first old or node list - or can read it now hear of it.
 */
static int merge(struct change *ch, const struct change_perms *who, bool exact)
{
	const struct xs_perm *p = ch->perms;
	uint32_t nfirst = ch->nperms[0];
	const struct xs_perm *first = p;
	uint64_t first_pgen = ch->pgen[0];

	if (ch->nperms[2]) {
		first = p + ch->nperms[0] + ch->nperms[1];
		nfirst = ch->nperms[2];
		first_pgen = ch->pgen[2];
	}
	struct xs_perm *keep = malloc(nfirst ? nfirst * sizeof(*keep) : 1);
	if (!keep)
		return -ENOMEM;
	memcpy(keep, first, nfirst * sizeof(*keep));
	struct change_perms merged = *who;
	merged.old = keep;
	merged.nold = nfirst;
	merged.pold = first_pgen;
	int ret = set_perms(ch, &merged);
	free(keep);
	ch->exact = ch->exact && exact;
	return ret;
}

void changes_add(struct changes *c, const char *path,
		 const struct change_perms *who, bool exact)
{
	size_t slot = 0;

	if (c->dedupe) {
		if ((c->n + 1) * 2 > c->setcap && set_grow(c) != 0)
			goto fail;
		slot = set_slot(c, path);
		if (c->set[slot] != UINT32_MAX) {
			if (merge(&c->v[c->set[slot]], who, exact) != 0)
				goto fail;
			return;
		}
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
	ch->perms = NULL;
	ch->path = strdup(path);
	if (!ch->path || set_perms(ch, who) != 0) {
		free(ch->path);
		free(ch->perms);
		goto fail;
	}
	ch->exact = exact;
	if (c->dedupe)
		c->set[slot] = (uint32_t)c->n;
	c->n++;
	return;
fail:
	c->error = -ENOMEM;
}
