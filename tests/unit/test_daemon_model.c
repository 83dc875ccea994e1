/* SPDX-License-Identifier: MIT */
/*
 * Model test of the daemon's core: random sequences of WRITE, MKDIR, RM,
 * SET_PERMS, READ and DIRECTORY over a small path alphabet (components a,
 * b, c; depth <= 4: 121 paths) run against the store through views and
 * against a naive model (one array entry per path: exists, value,
 * permissions, creation number).  New nodes inherit the permissions of
 * their nearest existing ancestor, as write_node() in ops_node.c does it;
 * RM removes the subtree.
 *
 * Plain phase: every operation goes through the plain view; after each,
 * the results must be equal (DIRECTORY in creation order), the change list
 * must hold what view.c promises, every path must look the same in store
 * and model (value, permissions, children in creation order), the owner
 * counts must agree, and store_check() must pass.
 *
 * Transaction phase: up to three transactions at once, interleaved with
 * plain operations, committed or aborted at random; odd seeds give the
 * transactions a small node quota so ENOSPC happens (the refused
 * operation must then change nothing).  A transaction reads a snapshot
 * (txn.h), so each of its results must equal those of a private copy of
 * the model taken at its start plus its own operations, whatever was
 * committed meanwhile (DIRECTORY in order too: the snapshot's order,
 * then the transaction's own creations, the order the commit will leave);
 * now and then, before a commit, every path is compared that way.  When a commit succeeds, the
 * transaction's whole history - reads included - is replayed on the model
 * as it is at that moment, and every result must be the same (else the
 * commit let through a transaction that acted on a stale state); that
 * replay becomes the model.  A commit may fail with EAGAIN only if
 * something was committed since the transaction started.  Failed commits
 * and aborts must change nothing.  Fixed seeds, bounded work.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/perms.h"
#include "daemon/changes.h"
#include "daemon/store.h"
#include "daemon/txn.h"
#include "daemon/view.h"
#include "unit.h"

#define SEEDS 20
#define OPS_PER_SEED 2000
#define CHECK_EVERY 8 /* store_check() period, in operations */

#define NCOMP 3
#define MAXDEPTH 4
#define NPATHS 121 /* 1 + 3 + 9 + 27 + 81 */
#define MAXV 5	   /* value bytes */
#define MAXP 3	   /* permission entries */
#define NDOM 4	   /* domids used: 0..3 */

/* ---- the path alphabet ---- */

static char paths[NPATHS][2 * MAXDEPTH + 1];
static int parent_of[NPATHS];
static int depth_of[NPATHS];
static int child_of[NPATHS][NCOMP];
static bool is_below[NPATHS][NPATHS]; /* [j][i]: j is i or under it */

static void paths_init(void)
{
	int n = 1;

	strcpy(paths[0], "/");
	parent_of[0] = -1;
	depth_of[0] = 0;
	for (int i = 0; i < n; i++) {
		for (int c = 0; c < NCOMP; c++)
			child_of[i][c] = -1;
		if (depth_of[i] == MAXDEPTH)
			continue;
		for (int c = 0; c < NCOMP; c++) {
			int j = n++;
			size_t len = i == 0 ? 0 : strlen(paths[i]);
			memcpy(paths[j], paths[i], len);
			paths[j][len] = '/';
			paths[j][len + 1] = (char)('a' + c);
			paths[j][len + 2] = '\0';
			parent_of[j] = i;
			depth_of[j] = depth_of[i] + 1;
			child_of[i][c] = j;
		}
	}
	assert_int_equal(n, NPATHS);
	for (int j = 0; j < NPATHS; j++)
		for (int k = j; k >= 0; k = parent_of[k])
			is_below[j][k] = true;
}

/* ---- randomness: splitmix64, fixed seeds ---- */

static uint64_t rng;

static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static unsigned int rnd_below(unsigned int n)
{
	return (unsigned int)(rnd() % n);
}

/* ---- operations and their observable results ---- */

enum opkind { OP_WRITE, OP_MKDIR, OP_RM, OP_SETPERMS, OP_GET, OP_LIST };

static const char *const op_names[] = {
	[OP_WRITE] = "WRITE", [OP_MKDIR] = "MKDIR", [OP_RM] = "RM",
	[OP_SETPERMS] = "SET_PERMS", [OP_GET] = "READ", [OP_LIST] = "DIRECTORY",
};

struct op {
	enum opkind kind;
	int path;
	uint32_t vlen;
	char value[MAXV];
	uint32_t nperms;
	struct xs_perm perms[MAXP];
};

struct res {
	int ret;
	/* WRITE, MKDIR: did the node exist, and else the inherited perms */
	bool existed;
	uint32_t ncperms;
	struct xs_perm cperms[MAXP];
	/* READ */
	uint32_t vlen;
	char value[MAXV];
	uint32_t nperms;
	struct xs_perm perms[MAXP];
	/* DIRECTORY: children as component numbers, in list order */
	unsigned int nkids;
	int kids[NCOMP];
	/* RM, model only: nodes removed */
	unsigned int removed;
};

static void random_perms(struct xs_perm *p, uint32_t *np)
{
	*np = 1 + rnd_below(MAXP);
	for (uint32_t i = 0; i < *np; i++) {
		p[i].domid = rnd_below(NDOM);
		p[i].access = (uint8_t)rnd_below(4);
	}
}

/*
 * Half the paths are drawn uniformly, half near the previous one (an
 * ancestor or a descendant of it), so that sequences such as "rm a
 * subtree, then write below it" are frequent.
 */
static int random_path(void)
{
	static int last;
	int p;

	if (rnd_below(2) == 0) {
		p = (int)rnd_below(NPATHS);
	} else if (rnd_below(2) == 0) {
		p = last;
		for (unsigned int up = rnd_below(MAXDEPTH); up && p; up--)
			p = parent_of[p];
	} else {
		p = last;
		for (unsigned int down = rnd_below(MAXDEPTH) + 1; down; down--) {
			int c = child_of[p][rnd_below(NCOMP)];
			if (c < 0)
				break;
			p = c;
		}
	}
	last = p;
	return p;
}

static void random_op(struct op *op)
{
	static const char bytes[] = {'x', 'y', '\0', 'z'};
	unsigned int r = rnd_below(100);

	memset(op, 0, sizeof(*op));
	op->kind = r < 30   ? OP_WRITE
		   : r < 40 ? OP_MKDIR
		   : r < 55 ? OP_RM
		   : r < 65 ? OP_SETPERMS
		   : r < 85 ? OP_GET
			    : OP_LIST;
	op->path = random_path();
	if (op->kind == OP_WRITE) {
		op->vlen = rnd_below(MAXV + 1);
		for (uint32_t i = 0; i < op->vlen; i++)
			op->value[i] = bytes[rnd_below(sizeof(bytes))];
	}
	if (op->kind == OP_SETPERMS)
		random_perms(op->perms, &op->nperms);
}

static bool is_write(enum opkind k)
{
	return k == OP_WRITE || k == OP_MKDIR || k == OP_RM || k == OP_SETPERMS;
}

/* ---- the model ---- */

struct mnode {
	bool exists;
	uint64_t seq; /* creation number: children list in this order */
	uint32_t vlen;
	char value[MAXV];
	uint32_t nperms;
	struct xs_perm perms[MAXP];
};

struct model {
	struct mnode n[NPATHS];
	uint64_t seq;
};

static void model_init(struct model *m)
{
	memset(m, 0, sizeof(*m));
	m->n[0].exists = true;
	m->n[0].nperms = 1;
	m->n[0].perms[0] = (struct xs_perm){.domid = 0, .access = PERM_NONE};
}

/* Existing children of i in creation order, as component numbers. */
static unsigned int model_kids(const struct model *m, int i, int *kids)
{
	unsigned int n = 0;

	for (int c = 0; c < NCOMP; c++) {
		int j = child_of[i][c];
		if (j < 0 || !m->n[j].exists)
			continue;
		unsigned int k = n++;
		while (k > 0 && m->n[child_of[i][kids[k - 1]]].seq > m->n[j].seq) {
			kids[k] = kids[k - 1];
			k--;
		}
		kids[k] = c;
	}
	return n;
}

static void model_do(struct model *m, const struct op *op, struct res *r)
{
	struct mnode *n = &m->n[op->path];

	memset(r, 0, sizeof(*r));
	switch (op->kind) {
	case OP_WRITE:
	case OP_MKDIR:
		r->existed = n->exists;
		if (!n->exists) {
			int chain[MAXDEPTH], k = 0, near = op->path;
			while (!m->n[near].exists) {
				chain[k++] = near;
				near = parent_of[near];
			}
			r->ncperms = m->n[near].nperms;
			memcpy(r->cperms, m->n[near].perms, sizeof(r->cperms));
			while (k--) {
				struct mnode *c = &m->n[chain[k]];
				c->exists = true;
				c->seq = ++m->seq;
				c->vlen = 0;
				c->nperms = r->ncperms;
				memcpy(c->perms, r->cperms, sizeof(c->perms));
			}
		}
		if (op->kind == OP_WRITE) {
			n->vlen = op->vlen;
			memcpy(n->value, op->value, op->vlen);
		}
		break;
	case OP_RM:
		if (!n->exists) {
			r->ret = -ENOENT;
		} else if (op->path == 0) {
			r->ret = -EINVAL;
		} else {
			for (int j = 0; j < NPATHS; j++) {
				if (is_below[j][op->path] && m->n[j].exists) {
					m->n[j].exists = false;
					r->removed++;
				}
			}
		}
		break;
	case OP_SETPERMS:
		if (!n->exists) {
			r->ret = -ENOENT;
			break;
		}
		n->nperms = op->nperms;
		memset(n->perms, 0, sizeof(n->perms));
		memcpy(n->perms, op->perms, op->nperms * sizeof(op->perms[0]));
		break;
	case OP_GET:
		if (!n->exists) {
			r->ret = -ENOENT;
			break;
		}
		r->vlen = n->vlen;
		memcpy(r->value, n->value, n->vlen);
		r->nperms = n->nperms;
		memcpy(r->perms, n->perms, n->nperms * sizeof(n->perms[0]));
		break;
	case OP_LIST:
		if (!n->exists) {
			r->ret = -ENOENT;
			break;
		}
		r->nkids = model_kids(m, op->path, r->kids);
		break;
	}
}

/* ---- the same operations through a view ---- */

static int list_cb(void *arg, const char *name, size_t len)
{
	struct res *r = arg;

	assert_int_equal(len, 1);
	assert_true(name[0] >= 'a' && name[0] < 'a' + NCOMP);
	assert_true(r->nkids < NCOMP);
	r->kids[r->nkids++] = name[0] - 'a';
	return 0;
}

static void copy_perms(struct xs_perm *dst, uint32_t *ndst,
		       const struct nodeinfo *info)
{
	assert_true(info->nperms >= 1 && info->nperms <= MAXP);
	*ndst = info->nperms;
	memcpy(dst, info->perms, info->nperms * sizeof(dst[0]));
}

/* As the request handlers do it (write_node() for WRITE and MKDIR). */
static void view_do(struct view *v, const struct op *op, struct res *r)
{
	const char *path = paths[op->path];
	struct nodeinfo info;
	uint64_t cgen;
	int ret;

	memset(r, 0, sizeof(*r));
	switch (op->kind) {
	case OP_WRITE:
	case OP_MKDIR: {
		bool set = op->kind == OP_WRITE;
		ret = view_get(v, path, &info);
		if (ret == 0) {
			r->existed = true;
			r->ret = set ? view_write(v, path, op->value, op->vlen, true,
						  NULL, 0)
				     : 0;
			break;
		}
		if (ret != -ENOENT) {
			r->ret = ret;
			break;
		}
		ret = view_nearest(v, path, &info);
		if (ret) {
			r->ret = ret;
			break;
		}
		copy_perms(r->cperms, &r->ncperms, &info);
		r->ret = view_write(v, path, op->value, op->vlen, set, r->cperms,
				    r->ncperms);
		break;
	}
	case OP_RM:
		r->ret = view_rm(v, path);
		break;
	case OP_SETPERMS:
		r->ret = view_set_perms(v, path, op->perms, op->nperms);
		break;
	case OP_GET:
		r->ret = view_get(v, path, &info);
		if (r->ret)
			break;
		assert_true(info.vlen <= MAXV);
		r->vlen = info.vlen;
		if (info.vlen)
			memcpy(r->value, info.value, info.vlen);
		copy_perms(r->perms, &r->nperms, &info);
		break;
	case OP_LIST:
		r->ret = view_list(v, path, list_cb, r, &cgen);
		break;
	}
}

/* ---- comparing ---- */

static char where[128]; /* seed and step, for failure messages */

static bool perms_equal(const struct xs_perm *a, uint32_t na,
			const struct xs_perm *b, uint32_t nb)
{
	if (na != nb)
		return false;
	for (uint32_t i = 0; i < na; i++)
		if (a[i].domid != b[i].domid || a[i].access != b[i].access)
			return false;
	return true;
}

static unsigned int kid_mask(const struct res *r)
{
	unsigned int mask = 0;

	for (unsigned int i = 0; i < r->nkids; i++)
		mask |= 1u << r->kids[i];
	return mask;
}

/* NULL when want and got agree, else what differs. */
static const char *res_diff(const struct op *op, const struct res *want,
			    const struct res *got)
{
	if (want->ret != got->ret)
		return "return code";
	if (want->ret)
		return NULL;
	switch (op->kind) {
	case OP_WRITE:
	case OP_MKDIR:
		if (want->existed != got->existed)
			return "existence";
		if (!want->existed && !perms_equal(want->cperms, want->ncperms,
						   got->cperms, got->ncperms))
			return "inherited permissions";
		break;
	case OP_GET:
		if (want->vlen != got->vlen ||
		    memcmp(want->value, got->value, want->vlen) != 0)
			return "value";
		if (!perms_equal(want->perms, want->nperms, got->perms, got->nperms))
			return "permissions";
		break;
	case OP_LIST:
		if (want->nkids != got->nkids || kid_mask(want) != kid_mask(got))
			return "children";
		if (memcmp(want->kids, got->kids,
			   want->nkids * sizeof(want->kids[0])) != 0)
			return "order of children";
		break;
	default:
		break;
	}
	return NULL;
}

static void expect_same(const char *what, const struct op *op,
			const struct res *want, const struct res *got)
{
	const char *diff = res_diff(op, want, got);

	if (diff)
		fail_msg("%s: %s %s %s: %s differs (model ret %d, got %d)", where,
			 what, op_names[op->kind], paths[op->path], diff,
			 want->ret, got->ret);
}

/* Every path, every child list, the counters and store_check(). */
static void check_store(const struct store *s, const struct model *m,
			bool full_check)
{
	uint32_t owners[NDOM] = {0};
	size_t count = 0;
	char msg[256];

	for (int i = 0; i < NPATHS; i++) {
		const struct node *n = store_lookup(s, paths[i]);
		const struct mnode *mn = &m->n[i];
		if ((n != NULL) != mn->exists)
			fail_msg("%s: %s %s in the store, %s in the model", where,
				 paths[i], n ? "exists" : "missing",
				 mn->exists ? "exists" : "missing");
		if (!n)
			continue;
		count++;
		assert_true(n->perms[0].domid < NDOM);
		owners[n->perms[0].domid]++;
		if (n->vlen != mn->vlen ||
		    (n->vlen && memcmp(n->value, mn->value, n->vlen) != 0))
			fail_msg("%s: %s value differs", where, paths[i]);
		if (!perms_equal(n->perms, n->nperms, mn->perms, mn->nperms))
			fail_msg("%s: %s permissions differ", where, paths[i]);
		int kids[NCOMP];
		unsigned int nk = model_kids(m, i, kids), k = 0;
		for (const struct node *c = n->first_child; c; c = c->next_sib, k++) {
			if (k >= nk || c->namelen != 1 || c->name[0] != 'a' + kids[k])
				fail_msg("%s: children of %s differ", where, paths[i]);
		}
		if (k != nk || n->nchildren != nk)
			fail_msg("%s: %s has %u children, model %u", where,
				 paths[i], n->nchildren, nk);
	}
	assert_int_equal(s->count, count);
	for (uint32_t d = 0; d < NDOM; d++)
		assert_int_equal(store_owner_nodes(s, d), owners[d]);
	if (full_check && store_check(s, msg, sizeof(msg)) != 0)
		fail_msg("%s: store_check: %s", where, msg);
}

/* ---- plain phase ---- */

/* What view.c must have recorded for a plain operation. */
static void check_plain_changes(const struct changes *ch, const struct op *op,
				const struct res *want)
{
	size_t expect = 0;

	if (want->ret == 0) {
		switch (op->kind) {
		case OP_WRITE:
		case OP_SETPERMS:
			expect = 1;
			break;
		case OP_MKDIR:
			expect = want->existed ? 0 : 1;
			break;
		case OP_RM:
			expect = want->removed;
			break;
		default:
			break;
		}
	}
	if (ch->n != expect)
		fail_msg("%s: %s %s recorded %zu changes, expected %zu", where,
			 op_names[op->kind], paths[op->path], ch->n, expect);
	for (size_t i = 0; i < ch->n; i++) {
		/* The path itself first, then what went with it (exact). */
		if (i == 0)
			assert_string_equal(ch->v[0].path, paths[op->path]);
		assert_int_equal(ch->v[i].exact, i > 0);
	}
	assert_int_equal(ch->error, 0);
}

/* Live objects, released by model_teardown() even after a failure. */
static struct store plain_store;
static struct changes plain_changes;

static void test_model_plain(void **state)
{
	struct store *s = &plain_store;
	struct changes *ch = &plain_changes;
	static struct model m;
	struct view v = {.store = s, .txn = NULL, .changes = ch};

	paths_init();
	for (unsigned int seed = 1; seed <= SEEDS; seed++) {
		rng = seed;
		assert_int_equal(store_init(s), 0);
		model_init(&m);
		for (unsigned int step = 0; step < OPS_PER_SEED; step++) {
			struct op op;
			struct res want, got;

			snprintf(where, sizeof(where), "plain seed %u step %u",
				 seed, step);
			random_op(&op);
			changes_init(ch, false);
			view_do(&v, &op, &got);
			model_do(&m, &op, &want);
			expect_same("plain", &op, &want, &got);
			check_plain_changes(ch, &op, &want);
			changes_release(ch);
			check_store(s, &m, step % CHECK_EVERY == 0);
		}
		check_store(s, &m, true);
		store_release(s);
	}
}

/* ---- transaction phase ---- */

#define NSLOTS 3
#define MAXH 24 /* operations per transaction at most */

struct slot {
	struct txn *t;
	struct view v;
	uint32_t max_nodes;
	uint64_t start_mut;	/* value of `mutations` at start */
	struct model tm;	/* snapshot: model at start plus own operations */
	unsigned int nh;
	struct op hist[MAXH];
	struct res hres[MAXH];
};

struct txstate {
	struct store s;
	struct model m;
	uint64_t mutations; /* commits that may have changed the store */
	struct slot slot[NSLOTS];
	unsigned int commits, eagains, aborts, enospc, full_views;
};

static void slot_start(struct txstate *st, struct slot *sl, uint32_t id,
		       uint32_t max_nodes)
{
	sl->t = txn_new(&st->s, id, max_nodes);
	assert_non_null(sl->t);
	sl->v = (struct view){.store = &st->s, .txn = sl->t, .changes = NULL};
	sl->max_nodes = max_nodes;
	sl->start_mut = st->mutations;
	sl->tm = st->m;
	sl->nh = 0;
}

static void slot_end(struct slot *sl)
{
	txn_free(sl->t);
	sl->t = NULL;
}

static bool untouched(const struct txstate *st, const struct slot *sl)
{
	return st->mutations == sl->start_mut;
}

static void tx_op(struct txstate *st, struct slot *sl)
{
	struct op *op = &sl->hist[sl->nh];
	struct res *got = &sl->hres[sl->nh];
	struct res want;

	random_op(op);
	view_do(&sl->v, op, got);
	sl->nh++;
	if (got->ret == -ENOSPC) {
		/* Only past the quota, and then the op must do nothing. */
		if (!sl->max_nodes)
			fail_msg("%s: ENOSPC without a quota", where);
		assert_int_equal(sl->t->nnodes, sl->max_nodes);
		st->enospc++;
		return;
	}
	model_do(&sl->tm, op, &want);
	expect_same("in transaction", op, &want, got);
}

/* Every path through the transaction's eyes against its model. */
static void tx_full_view(struct txstate *st, struct slot *sl)
{
	for (int i = 0; i < NPATHS; i++) {
		struct op op = {.kind = OP_GET, .path = i};
		struct res want, got;

		view_do(&sl->v, &op, &got);
		model_do(&sl->tm, &op, &want);
		expect_same("full view", &op, &want, &got);
		op.kind = OP_LIST;
		view_do(&sl->v, &op, &got);
		model_do(&sl->tm, &op, &want);
		expect_same("full view", &op, &want, &got);
	}
	st->full_views++;
}

static struct changes commit_changes;

static void tx_commit(struct txstate *st, struct slot *sl)
{
	struct changes *ch = &commit_changes;
	bool wrote = false;

	if (sl->max_nodes == 0 && rnd_below(4) == 0)
		tx_full_view(st, sl);
	changes_init(ch, true);
	int ret = txn_commit(sl->t, &st->s, ch);
	if (ret == -EAGAIN) {
		if (untouched(st, sl))
			fail_msg("%s: EAGAIN with nothing committed since the "
				 "transaction started", where);
		assert_int_equal(ch->n, 0);
		st->eagains++;
	} else {
		if (ret != 0)
			fail_msg("%s: commit returned %d", where, ret);
		/* Serial replay at the commit point must see what it saw. */
		static struct model replay;
		replay = st->m;
		for (unsigned int i = 0; i < sl->nh; i++) {
			struct res want;
			if (sl->hres[i].ret == -ENOSPC)
				continue;
			model_do(&replay, &sl->hist[i], &want);
			char what[48];
			snprintf(what, sizeof(what), "commit replay of op %u", i);
			expect_same(what, &sl->hist[i], &want, &sl->hres[i]);
			if (is_write(sl->hist[i].kind) && want.ret == 0)
				wrote = true;
		}
		st->m = replay;
		/* Each changed path once. */
		for (size_t i = 0; i < ch->n; i++)
			for (size_t j = i + 1; j < ch->n; j++)
				assert_string_not_equal(ch->v[i].path, ch->v[j].path);
		assert_int_equal(ch->error, 0);
		if (!wrote)
			assert_int_equal(ch->n, 0);
		st->commits++;
	}
	changes_release(ch);
	if (wrote)
		st->mutations++;
	slot_end(sl);
}

static void plain_op(struct txstate *st)
{
	struct view v = {.store = &st->s, .txn = NULL, .changes = &plain_changes};
	struct op op;
	struct res want, got;

	random_op(&op);
	changes_init(&plain_changes, false);
	view_do(&v, &op, &got);
	changes_release(&plain_changes);
	model_do(&st->m, &op, &want);
	expect_same("plain", &op, &want, &got);
	if (is_write(op.kind) && want.ret == 0)
		st->mutations++;
}

static struct slot *random_slot(struct txstate *st, bool open)
{
	unsigned int start = rnd_below(NSLOTS);

	for (unsigned int k = 0; k < NSLOTS; k++) {
		struct slot *sl = &st->slot[(start + k) % NSLOTS];
		if ((sl->t != NULL) == open)
			return sl;
	}
	return NULL;
}

static struct txstate st;

static void test_model_txn(void **state)
{
	unsigned int commits = 0, eagains = 0, aborts = 0, enospc = 0, full = 0;

	paths_init();
	for (unsigned int seed = 1; seed <= SEEDS; seed++) {
		uint32_t next_id = 1;

		memset(&st, 0, sizeof(st));
		rng = 1000 + seed;
		assert_int_equal(store_init(&st.s), 0);
		model_init(&st.m);
		for (unsigned int step = 0; step < OPS_PER_SEED; step++) {
			unsigned int r = rnd_below(100);
			struct slot *sl;

			snprintf(where, sizeof(where), "txn seed %u step %u", seed,
				 step);
			if (r < 25) {
				plain_op(&st);
			} else if (r < 82) {
				sl = random_slot(&st, true);
				if (!sl) {
					sl = random_slot(&st, false);
					slot_start(&st, sl, next_id++,
						   seed % 2 ? 6 + rnd_below(20) : 0);
				} else if (sl->nh == MAXH) {
					tx_commit(&st, sl);
				} else {
					tx_op(&st, sl);
				}
			} else if (r < 90) {
				sl = random_slot(&st, false);
				if (sl)
					slot_start(&st, sl, next_id++,
						   seed % 2 ? 6 + rnd_below(20) : 0);
			} else if (r < 98) {
				sl = random_slot(&st, true);
				if (sl)
					tx_commit(&st, sl);
			} else {
				sl = random_slot(&st, true);
				if (sl) {
					slot_end(sl);
					st.aborts++;
				}
			}
			check_store(&st.s, &st.m, step % CHECK_EVERY == 0);
		}
		for (int i = 0; i < NSLOTS; i++)
			if (st.slot[i].t)
				slot_end(&st.slot[i]);
		check_store(&st.s, &st.m, true);
		store_release(&st.s);
		commits += st.commits;
		eagains += st.eagains;
		aborts += st.aborts;
		enospc += st.enospc;
		full += st.full_views;
	}
	print_message("model txn: %u commits, %u EAGAIN, %u aborts, %u ENOSPC, "
		      "%u full views\n",
		      commits, eagains, aborts, enospc, full);
	/* The run must have exercised every outcome. */
	assert_true(commits > 1000);
	assert_true(eagains > 100);
	assert_true(aborts > 100);
	assert_true(enospc > 100);
	assert_true(full > 50);
}

static int model_teardown(void **state)
{
	for (int i = 0; i < NSLOTS; i++)
		txn_free(st.slot[i].t);
	if (st.s.root)
		store_release(&st.s);
	memset(&st, 0, sizeof(st));
	if (plain_store.root)
		store_release(&plain_store);
	changes_release(&plain_changes);
	changes_release(&commit_changes);
	return unit_teardown(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_model_plain, model_teardown),
		cmocka_unit_test_teardown(test_model_txn, model_teardown),
	};

	return cmocka_run_group_tests_name("daemon_model", tests, NULL, NULL);
}
