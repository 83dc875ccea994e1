/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of transactions (src/daemon/txn.c, with the snapshots of
 * src/daemon/history.c) driven through the view API (src/daemon/view.c),
 * the way the request handlers use them: reads see the committed tree as
 * it was at the start (values, permissions, nodes created or removed
 * since, child lists and their order); writes stay private until commit;
 * DIRECTORY inside a transaction merges committed children with created
 * ones, hides removed ones, and lists them in the order the commit will
 * leave them; rm of a subtree and re-creation below it; SET_PERMS; the
 * commit applies the log and records each changed path once, in order.
 * Conflicts are node-granular (see the design note in txn.h): a node read
 * and changed meanwhile, two transactions reading x and writing y, a node
 * deleted meanwhile, a listed directory whose child list moved (or that
 * was missing and appeared), a blind write (which observes its node, so it
 * conflicts too) all give EAGAIN; disjoint keys and siblings created under
 * one parent do not.  Also the transaction-nodes quota (ENOSPC, and a
 * refused write changes nothing), the change lists of plain views, saved
 * history dropped once no transaction needs it, and txn_free of an
 * uncommitted transaction (leaks show under ASan).
 *
 * Writes go through write_like_ops(), which mirrors write_node() in
 * ops_node.c: view_get, then view_nearest for the permissions new nodes
 * inherit, then view_write.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/perms.h"
#include "daemon/acl.h"
#include "daemon/changes.h"
#include "daemon/store.h"
#include "daemon/txn.h"
#include "daemon/view.h"
#include "unit.h"

#define NTXN 3

struct fx {
	struct store s;
	struct changes ch;  /* plain view's changes (no dedupe) */
	struct changes cch; /* commit's changes (deduped, as ops_txn.c) */
	struct view plain;
	struct txn *t[NTXN];
	struct view tv[NTXN];
};

static int fx_setup(void **state)
{
	static struct fx f;

	memset(&f, 0, sizeof(f));
	if (store_init(&f.s) != 0)
		return -1;
	changes_init(&f.ch, false);
	changes_init(&f.cch, true);
	f.plain = (struct view){.store = &f.s, .txn = NULL, .changes = &f.ch};
	*state = &f;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;

	for (int i = 0; i < NTXN; i++)
		txn_free(f->t[i]);
	changes_release(&f->ch);
	changes_release(&f->cch);
	store_release(&f->s);
	memset(f, 0, sizeof(*f));
	return unit_teardown(state);
}

#define fx_case(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)

/* Open transaction i (quota max_nodes) and return its view. */
static struct view *tx_open(struct fx *f, int i, uint32_t max_nodes)
{
	assert_null(f->t[i]);
	f->t[i] = txn_new(&f->s, (uint32_t)i + 1, max_nodes);
	assert_non_null(f->t[i]);
	assert_int_equal(f->t[i]->id, (uint32_t)i + 1);
	assert_int_equal(f->t[i]->nnodes, 0);
	f->tv[i] = (struct view){.store = &f->s, .txn = f->t[i], .changes = NULL};
	return &f->tv[i];
}

/* Commit transaction i into f->cch (emptied first) and free it. */
static int tx_commit(struct fx *f, int i)
{
	changes_release(&f->cch);
	changes_init(&f->cch, true);
	int ret = txn_commit(f->t[i], &f->s, &f->cch);
	txn_free(f->t[i]);
	f->t[i] = NULL;
	return ret;
}

static void store_ok(const struct store *s)
{
	char msg[256];

	if (store_check(s, msg, sizeof(msg)) != 0)
		fail_msg("store_check: %s", msg);
}

/* WRITE (set_value) or MKDIR as write_node() in ops_node.c does it. */
static int write_like_ops(struct view *v, const char *path, const void *value,
			  size_t len, bool set_value)
{
	struct nodeinfo info;
	struct xs_perm perms[8];
	int ret = view_get(v, path, &info);

	if (ret == 0)
		return set_value ? view_write(v, path, value, len, true, NULL, 0)
				 : 0;
	if (ret != -ENOENT)
		return ret;
	ret = view_nearest(v, path, &info);
	if (ret)
		return ret;
	assert_true(info.exists);
	assert_true(info.nperms >= 1 && info.nperms <= 8);
	memcpy(perms, info.perms, info.nperms * sizeof(perms[0]));
	return view_write(v, path, value, len, set_value, perms, info.nperms);
}

static int put(struct view *v, const char *path, const char *value)
{
	return write_like_ops(v, path, value, strlen(value), true);
}

static int mkdir_(struct view *v, const char *path)
{
	return write_like_ops(v, path, NULL, 0, false);
}

/* READ: the return code; the value as a string in buf. */
static int get(struct view *v, const char *path, char *buf, size_t size)
{
	struct nodeinfo info;
	int ret = view_get(v, path, &info);

	buf[0] = '\0';
	if (ret)
		return ret;
	assert_true(info.exists);
	assert_true(info.vlen < size);
	if (info.vlen)
		memcpy(buf, info.value, info.vlen);
	buf[info.vlen] = '\0';
	return 0;
}

static void assert_value(struct view *v, const char *path, const char *expect)
{
	char buf[64];

	int ret = get(v, path, buf, sizeof(buf));
	if (ret)
		fail_msg("%s: %d, expected value \"%s\"", path, ret, expect);
	assert_string_equal(buf, expect);
}

static void assert_missing(struct view *v, const char *path)
{
	char buf[64];

	assert_int_equal(get(v, path, buf, sizeof(buf)), -ENOENT);
}

struct names {
	char buf[256];
	size_t len;
};

static int add_name(void *arg, const char *name, size_t len)
{
	struct names *n = arg;

	assert_true(n->len + len + 2 < sizeof(n->buf));
	if (n->len)
		n->buf[n->len++] = ',';
	memcpy(n->buf + n->len, name, len);
	n->len += len;
	n->buf[n->len] = '\0';
	return 0;
}

/* DIRECTORY: the return code; the names as "a,b" in out. */
static int ls(struct view *v, const char *path, char *out, size_t size)
{
	struct names n = {.len = 0};
	uint64_t cgen = 0;

	n.buf[0] = '\0';
	int ret = view_list(v, path, add_name, &n, &cgen);
	assert_true(strlen(n.buf) < size);
	strcpy(out, n.buf);
	return ret;
}

static void assert_list(struct view *v, const char *path, const char *expect)
{
	char buf[256];

	int ret = ls(v, path, buf, sizeof(buf));
	if (ret)
		fail_msg("list %s: %d, expected \"%s\"", path, ret, expect);
	assert_string_equal(buf, expect);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "b,a,c" -> "a,b,c" in place. */
static void sort_names(char *list)
{
	char copy[256], *names[32];
	size_t n = 0;

	assert_true(strlen(list) < sizeof(copy));
	strcpy(copy, list);
	for (char *tok = strtok(copy, ","); tok; tok = strtok(NULL, ",")) {
		assert_true(n < 32);
		names[n++] = tok;
	}
	qsort(names, n, sizeof(names[0]), cmp_str);
	list[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (i)
			strcat(list, ",");
		strcat(list, names[i]);
	}
}

/* Like assert_list, ignoring the order. */
static void assert_list_set(struct view *v, const char *path, const char *expect)
{
	char buf[256], want[256];

	int ret = ls(v, path, buf, sizeof(buf));
	if (ret)
		fail_msg("list %s: %d, expected \"%s\"", path, ret, expect);
	assert_true(strlen(expect) < sizeof(want));
	strcpy(want, expect);
	sort_names(buf);
	sort_names(want);
	assert_string_equal(buf, want);
}

static void assert_change(const struct changes *c, size_t i, const char *path,
			  bool exact)
{
	assert_true(i < c->n);
	assert_string_equal(c->v[i].path, path);
	assert_int_equal(c->v[i].exact, exact);
}

static const struct xs_perm perm_root[] = {{.domid = 0, .access = PERM_NONE}};

static void assert_perms(struct view *v, const char *path,
			 const struct xs_perm *p, uint32_t np)
{
	struct nodeinfo info;

	assert_int_equal(view_get(v, path, &info), 0);
	assert_int_equal(info.nperms, np);
	for (uint32_t i = 0; i < np; i++) {
		assert_int_equal(info.perms[i].domid, p[i].domid);
		assert_int_equal(info.perms[i].access, p[i].access);
	}
}

/* ---- plain views ---- */

static void test_plain_view_changes(void **state)
{
	struct fx *f = *state;
	static const struct xs_perm p3[] = {{.domid = 3, .access = PERM_READ}};

	assert_int_equal(put(&f->plain, "/a/b", "1"), 0);
	assert_int_equal(f->ch.n, 1);
	assert_change(&f->ch, 0, "/a/b", false);
	/* New nodes got the nearest ancestor's (the root's) permissions. */
	assert_perms(&f->plain, "/a", perm_root, 1);
	assert_perms(&f->plain, "/a/b", perm_root, 1);
	assert_int_equal(mkdir_(&f->plain, "/a"), 0); /* exists: no change */
	assert_int_equal(view_write(&f->plain, "/a", NULL, 0, false, perm_root, 1),
			 0);
	assert_int_equal(f->ch.n, 1);
	assert_int_equal(view_set_perms(&f->plain, "/a", p3, 1), 0);
	assert_int_equal(f->ch.n, 2);
	assert_change(&f->ch, 1, "/a", false);
	/* Who may hear: the node's new, its parent's and its old lists. */
	assert_int_equal(f->ch.v[1].nperms[0], 1);
	assert_int_equal(f->ch.v[1].nperms[1], 1);
	assert_int_equal(f->ch.v[1].nperms[2], 1);
	assert_int_equal(f->ch.v[1].perms[0].domid, 3);
	assert_int_equal(f->ch.v[1].perms[0].access, PERM_READ);
	assert_int_equal(f->ch.v[1].perms[1].domid, 0); /* the root's */
	assert_int_equal(f->ch.v[1].perms[2].domid, 0); /* the old one */
	assert_int_equal(f->ch.v[1].perms[2].access, PERM_NONE);
	assert_int_equal(view_rm(&f->plain, "/a"), 0);
	assert_int_equal(f->ch.n, 4);
	assert_change(&f->ch, 2, "/a", false);
	assert_change(&f->ch, 3, "/a/b", true);
	/* A removed node's event carries the permissions it had. */
	assert_int_equal(f->ch.v[2].nperms[0], 1);
	assert_int_equal(f->ch.v[2].perms[0].domid, 3);
	assert_int_equal(f->ch.v[3].nperms[0], 1);
	assert_int_equal(f->ch.v[3].nperms[1], 1);
	assert_int_equal(f->ch.v[3].nperms[2], 0);
	assert_int_equal(f->ch.v[3].perms[0].domid, 0);
	assert_int_equal(f->ch.v[3].perms[1].domid, 3); /* /a's, its parent */
	assert_int_equal(view_rm(&f->plain, "/a"), -ENOENT);
	assert_int_equal(view_set_perms(&f->plain, "/a", p3, 1), -ENOENT);
	assert_int_equal(view_rm(&f->plain, "/"), -EINVAL);
	assert_int_equal(f->ch.n, 4);
	assert_int_equal(f->ch.error, 0);
	store_ok(&f->s);
}

/* ---- reads and private writes ---- */

static void test_reads_see_committed(void **state)
{
	struct fx *f = *state;
	struct view *tv;
	char buf[64];

	assert_int_equal(put(&f->plain, "/a", "1"), 0);
	tv = tx_open(f, 0, 0);
	assert_value(tv, "/a", "1");
	assert_perms(tv, "/a", perm_root, 1);
	assert_list(tv, "/", "a");
	assert_missing(tv, "/b");
	assert_int_equal(ls(tv, "/b", buf, sizeof(buf)), -ENOENT);

	/* Reads keep seeing the tree as it was at the start ... */
	assert_int_equal(put(&f->plain, "/a", "2"), 0);
	assert_value(tv, "/a", "1");
	/* ... and a read that was overtaken fails the commit. */
	assert_int_equal(tx_commit(f, 0), -EAGAIN);
	assert_int_equal(f->cch.n, 0);
	store_ok(&f->s);
}

/* The tree as it was at the start, whatever was committed since. */
static void test_snapshot(void **state)
{
	struct fx *f = *state;
	static const struct xs_perm p7[] = {{.domid = 7, .access = PERM_READ}};
	struct view *t1, *t2;
	char buf[64];

	assert_int_equal(put(&f->plain, "/s/v", "v0"), 0);
	assert_int_equal(put(&f->plain, "/s/gone/deep", "d"), 0);
	assert_int_equal(put(&f->plain, "/s/p", "p"), 0);
	t1 = tx_open(f, 0, 0);
	assert_int_equal(put(&f->plain, "/s/v", "v1"), 0);
	assert_int_equal(view_rm(&f->plain, "/s/gone"), 0);
	assert_int_equal(put(&f->plain, "/s/new/x", "n"), 0);
	assert_int_equal(view_set_perms(&f->plain, "/s/p", p7, 1), 0);
	t2 = tx_open(f, 1, 0);
	assert_int_equal(put(&f->plain, "/s/v", "v2"), 0);
	assert_int_equal(view_rm(&f->plain, "/s/new"), 0);

	/* t1: as before all of it. */
	assert_value(t1, "/s/v", "v0");
	assert_value(t1, "/s/gone", "");
	assert_value(t1, "/s/gone/deep", "d");
	assert_list(t1, "/s/gone", "deep");
	assert_missing(t1, "/s/new");
	assert_missing(t1, "/s/new/x");
	assert_perms(t1, "/s/p", perm_root, 1);
	assert_list_set(t1, "/s", "v,gone,p"); /* order: see below */
	/* t2: between the two batches. */
	assert_value(t2, "/s/v", "v1");
	assert_missing(t2, "/s/gone");
	assert_missing(t2, "/s/gone/deep");
	assert_int_equal(ls(t2, "/s/gone", buf, sizeof(buf)), -ENOENT);
	assert_value(t2, "/s/new/x", "n");
	assert_list(t2, "/s/new", "x");
	assert_perms(t2, "/s/p", p7, 1);
	assert_list_set(t2, "/s", "v,p,new");
	/* The store itself: the latest. */
	assert_value(&f->plain, "/s/v", "v2");
	assert_list(&f->plain, "/s", "v,p");

	/* Both read /s/v, which changed after both started. */
	assert_int_equal(tx_commit(f, 1), -EAGAIN);
	assert_int_equal(tx_commit(f, 0), -EAGAIN);
	store_ok(&f->s);
}

/*
 * The snapshot's child list keeps the order it had at the start, even if
 * children were removed or re-created since (DIRECTORY_PART relies on a
 * stable order for a given generation).
 */
static void test_snapshot_list_order(void **state)
{
	struct fx *f = *state;
	struct view *tv;

	assert_int_equal(mkdir_(&f->plain, "/p/a"), 0);
	assert_int_equal(mkdir_(&f->plain, "/p/b"), 0);
	assert_int_equal(mkdir_(&f->plain, "/p/c"), 0);
	tv = tx_open(f, 0, 0);
	assert_list(tv, "/p", "a,b,c");
	assert_int_equal(view_rm(&f->plain, "/p/a"), 0);
	assert_list(tv, "/p", "a,b,c");
	assert_int_equal(mkdir_(&f->plain, "/p/a"), 0);
	assert_list(tv, "/p", "a,b,c");
}

/* The same when the whole directory went away since the start. */
static void test_snapshot_list_order_dir_removed(void **state)
{
	struct fx *f = *state;
	struct view *tv;

	assert_int_equal(mkdir_(&f->plain, "/p/a"), 0);
	assert_int_equal(mkdir_(&f->plain, "/p/b"), 0);
	assert_int_equal(mkdir_(&f->plain, "/p/c"), 0);
	tv = tx_open(f, 0, 0);
	assert_int_equal(view_rm(&f->plain, "/p"), 0);
	assert_list(tv, "/p", "a,b,c");
}

/* Saved states live only while a transaction needs them. */
static void test_history_dropped(void **state)
{
	struct fx *f = *state;
	struct view *tv;

	assert_int_equal(put(&f->plain, "/h/a", "1"), 0);
	assert_int_equal(f->s.hist.records, 0); /* nobody needs them */
	tv = tx_open(f, 0, 0);
	tx_open(f, 1, 0);
	assert_int_equal(put(&f->plain, "/h/a", "2"), 0);
	assert_int_equal(put(&f->plain, "/h/b/c", "3"), 0);
	assert_int_equal(view_rm(&f->plain, "/h/a"), 0);
	assert_true(f->s.hist.records > 0);
	assert_value(tv, "/h/a", "1");
	assert_int_equal(tx_commit(f, 0), -EAGAIN); /* its read is stale */
	assert_true(f->s.hist.records > 0);   /* t[1] still open */
	txn_free(f->t[1]);
	f->t[1] = NULL;
	assert_int_equal(f->s.hist.records, 0);
	assert_int_equal(f->s.hist.bytes, 0);
	assert_int_equal(f->s.hist.npaths, 0);
	assert_int_equal(put(&f->plain, "/h/a", "4"), 0);
	assert_int_equal(f->s.hist.records, 0);
	store_ok(&f->s);
}

static void test_writes_private_until_commit(void **state)
{
	struct fx *f = *state;
	struct view *tv;

	assert_int_equal(put(&f->plain, "/a", "1"), 0);
	tv = tx_open(f, 0, 0);
	uint64_t gen = f->s.gen;
	size_t count = f->s.count;

	assert_int_equal(put(tv, "/a", "2"), 0);
	assert_int_equal(put(tv, "/new/x", "3"), 0);
	assert_int_equal(mkdir_(tv, "/dir"), 0);
	assert_value(tv, "/a", "2");
	assert_value(tv, "/new", "");
	assert_value(tv, "/new/x", "3");
	assert_value(tv, "/dir", "");
	assert_perms(tv, "/new/x", perm_root, 1);
	assert_list(tv, "/", "a,new,dir");
	assert_list(tv, "/new", "x");
	assert_list(tv, "/dir", "");

	/* The store did not move. */
	assert_int_equal(f->s.gen, gen);
	assert_int_equal(f->s.count, count);
	assert_value(&f->plain, "/a", "1");
	assert_missing(&f->plain, "/new");
	assert_missing(&f->plain, "/dir");
	assert_list(&f->plain, "/", "a");

	assert_int_equal(tx_commit(f, 0), 0);
	assert_value(&f->plain, "/a", "2");
	assert_value(&f->plain, "/new", "");
	assert_value(&f->plain, "/new/x", "3");
	assert_value(&f->plain, "/dir", "");
	assert_list(&f->plain, "/", "a,new,dir");
	assert_int_equal(f->cch.n, 3);
	assert_change(&f->cch, 0, "/a", false);
	assert_change(&f->cch, 1, "/new/x", false);
	assert_change(&f->cch, 2, "/dir", false);
	store_ok(&f->s);
}

static void test_read_own_writes_and_rm(void **state)
{
	struct fx *f = *state;
	struct view *tv;
	struct nodeinfo info;
	char buf[64];

	assert_int_equal(put(&f->plain, "/keep/k", "k"), 0);
	tv = tx_open(f, 0, 0);
	assert_int_equal(put(tv, "/t/u", "v"), 0);
	assert_int_equal(view_rm(tv, "/t/u"), 0);
	assert_missing(tv, "/t/u");
	assert_value(tv, "/t", "");
	assert_list(tv, "/t", "");
	assert_int_equal(view_rm(tv, "/t/u"), -ENOENT);
	assert_int_equal(view_rm(tv, "/"), -EINVAL);
	assert_int_equal(view_rm(tv, "/keep"), 0);
	assert_missing(tv, "/keep/k");
	assert_int_equal(ls(tv, "/keep", buf, sizeof(buf)), -ENOENT);
	/* Nearest existing node through the transaction's eyes. */
	assert_int_equal(view_nearest(tv, "/keep/k/deeper", &info), 0);
	assert_true(info.exists);
	assert_int_equal(info.nperms, 1);
	assert_int_equal(view_nearest(tv, "/t/u/v", &info), 0);
	assert_int_equal(info.vlen, 0);
	assert_list(tv, "/", "t");

	assert_int_equal(tx_commit(f, 0), 0);
	assert_list(&f->plain, "/", "t");
	assert_missing(&f->plain, "/keep");
	assert_missing(&f->plain, "/t/u");
	/* Commit order: /t/u written, then removed, then /keep removed. */
	assert_int_equal(f->cch.n, 3);
	assert_change(&f->cch, 0, "/t/u", false);
	assert_change(&f->cch, 1, "/keep", false);
	assert_change(&f->cch, 2, "/keep/k", true);
	store_ok(&f->s);
}

/* ---- DIRECTORY inside a transaction ---- */

static void test_list_merges(void **state)
{
	struct fx *f = *state;
	struct view *tv;

	assert_int_equal(put(&f->plain, "/d/a", "a"), 0);
	assert_int_equal(put(&f->plain, "/d/b", "b"), 0);
	assert_int_equal(put(&f->plain, "/d/c", "c"), 0);
	tv = tx_open(f, 0, 0);
	assert_list(tv, "/d", "a,b,c");
	assert_int_equal(view_rm(tv, "/d/b"), 0);
	assert_list(tv, "/d", "a,c");
	assert_int_equal(put(tv, "/d/e", "e"), 0);
	assert_int_equal(put(tv, "/d/a", "new"), 0); /* changed, still listed once */
	assert_int_equal(mkdir_(tv, "/d/f"), 0);
	assert_int_equal(put(tv, "/d/f/g", "g"), 0); /* a grandchild: not listed */
	assert_list(tv, "/d", "a,c,e,f");
	assert_list(tv, "/d/f", "g");
	assert_list(&f->plain, "/d", "a,b,c");

	assert_int_equal(tx_commit(f, 0), 0);
	assert_list(&f->plain, "/d", "a,c,e,f");
	assert_list(&f->plain, "/d/f", "g");
	assert_value(&f->plain, "/d/a", "new");
	store_ok(&f->s);
}

static void test_list_root_in_tx(void **state)
{
	struct fx *f = *state;
	struct view *tv;

	assert_int_equal(mkdir_(&f->plain, "/x"), 0);
	assert_int_equal(mkdir_(&f->plain, "/y"), 0);
	tv = tx_open(f, 0, 0);
	assert_int_equal(put(tv, "/n/x/y", "1"), 0);
	assert_int_equal(view_rm(tv, "/x"), 0);
	assert_list(tv, "/", "y,n");
	assert_list(tv, "/n", "x");
	assert_list(tv, "/n/x", "y");
	assert_list(tv, "/n/x/y", "");
	assert_int_equal(tx_commit(f, 0), 0);
	assert_list(&f->plain, "/", "y,n");
	store_ok(&f->s);
}

/*
 * DIRECTORY inside a transaction should list created children in the
 * order the commit will create them.  Here /p/z was looked at (and found
 * missing) before /p/y was created, then created after it.
 */
static void test_list_order_matches_commit(void **state)
{
	struct fx *f = *state;
	struct view *tv;

	assert_int_equal(mkdir_(&f->plain, "/p"), 0);
	tv = tx_open(f, 0, 0);
	assert_missing(tv, "/p/z");
	assert_int_equal(put(tv, "/p/y", "y"), 0);
	assert_int_equal(put(tv, "/p/z", "z"), 0);
	char in_tx[256];
	assert_int_equal(ls(tv, "/p", in_tx, sizeof(in_tx)), 0);
	assert_int_equal(tx_commit(f, 0), 0);
	assert_list(&f->plain, "/p", "y,z");
	assert_string_equal(in_tx, "y,z");
}

/*
 * The same for a committed child removed and re-created in the
 * transaction: the commit re-creates it last.
 */
static void test_list_order_recreated_child(void **state)
{
	struct fx *f = *state;
	struct view *tv;

	assert_int_equal(mkdir_(&f->plain, "/p/a"), 0);
	assert_int_equal(mkdir_(&f->plain, "/p/b"), 0);
	assert_int_equal(mkdir_(&f->plain, "/p/c"), 0);
	tv = tx_open(f, 0, 0);
	assert_int_equal(view_rm(tv, "/p/a"), 0);
	assert_int_equal(put(tv, "/p/a", "again"), 0);
	char in_tx[256];
	assert_int_equal(ls(tv, "/p", in_tx, sizeof(in_tx)), 0);
	assert_int_equal(tx_commit(f, 0), 0);
	assert_list(&f->plain, "/p", "b,c,a");
	assert_string_equal(in_tx, "b,c,a");
}

/* ---- rm of a subtree, then re-creation below it ---- */

static void test_rm_then_recreate_below(void **state)
{
	struct fx *f = *state;
	static const struct xs_perm p4[] = {{.domid = 4, .access = PERM_BOTH}};
	struct view *tv;
	struct nodeinfo info;
	char buf[64];

	assert_int_equal(put(&f->plain, "/r/x/y", "y"), 0);
	assert_int_equal(put(&f->plain, "/r/z", "z"), 0);
	assert_int_equal(view_set_perms(&f->plain, "/r", p4, 1), 0);
	assert_int_equal(store_owner_nodes(&f->s, 4), 1);

	tv = tx_open(f, 0, 0);
	assert_value(tv, "/r/x/y", "y"); /* known to the tx before the rm */
	assert_int_equal(view_rm(tv, "/r"), 0);
	assert_missing(tv, "/r");
	assert_missing(tv, "/r/x");
	assert_missing(tv, "/r/x/y");
	assert_missing(tv, "/r/z");
	assert_int_equal(ls(tv, "/r", buf, sizeof(buf)), -ENOENT);
	assert_int_equal(view_rm(tv, "/r"), -ENOENT);
	assert_int_equal(view_set_perms(tv, "/r", p4, 1), -ENOENT);
	/* The removed /r no longer lends its permissions: the root does. */
	assert_int_equal(view_nearest(tv, "/r/x/q", &info), 0);
	assert_int_equal(info.nperms, 1);
	assert_int_equal(info.perms[0].domid, 0);
	assert_int_equal(put(tv, "/r/x/q", "q"), 0);
	assert_value(tv, "/r", "");
	assert_perms(tv, "/r", perm_root, 1);
	assert_value(tv, "/r/x", "");
	assert_value(tv, "/r/x/q", "q");
	assert_missing(tv, "/r/x/y");
	assert_missing(tv, "/r/z");
	assert_list(tv, "/r", "x");
	assert_list(tv, "/r/x", "q");

	/* The store still has the old subtree. */
	assert_value(&f->plain, "/r/x/y", "y");
	assert_value(&f->plain, "/r/z", "z");
	assert_missing(&f->plain, "/r/x/q");

	assert_int_equal(tx_commit(f, 0), 0);
	assert_perms(&f->plain, "/r", perm_root, 1);
	assert_value(&f->plain, "/r/x/q", "q");
	assert_missing(&f->plain, "/r/x/y");
	assert_missing(&f->plain, "/r/z");
	assert_list(&f->plain, "/r", "x");
	assert_list(&f->plain, "/r/x", "q");
	assert_int_equal(store_owner_nodes(&f->s, 4), 0);
	/* rm: /r, then its subtree children first; then the write. */
	assert_int_equal(f->cch.n, 5);
	assert_change(&f->cch, 0, "/r", false);
	assert_change(&f->cch, 1, "/r/x/y", true);
	assert_change(&f->cch, 2, "/r/x", true);
	assert_change(&f->cch, 3, "/r/z", true);
	assert_change(&f->cch, 4, "/r/x/q", false);
	store_ok(&f->s);
}

static void test_rm_recreate_same_node(void **state)
{
	struct fx *f = *state;
	struct view *tv;

	assert_int_equal(put(&f->plain, "/a/b", "old"), 0);
	assert_int_equal(put(&f->plain, "/a/c", "c"), 0);
	tv = tx_open(f, 0, 0);
	assert_int_equal(view_rm(tv, "/a"), 0);
	assert_int_equal(mkdir_(tv, "/a"), 0);
	assert_list(tv, "/a", "");
	assert_missing(tv, "/a/b");
	assert_int_equal(put(tv, "/a/b", "new"), 0);
	assert_list(tv, "/a", "b");
	assert_value(tv, "/a/b", "new");
	assert_int_equal(tx_commit(f, 0), 0);
	assert_list(&f->plain, "/a", "b");
	assert_value(&f->plain, "/a/b", "new");
	assert_missing(&f->plain, "/a/c");
	store_ok(&f->s);
}

/* ---- SET_PERMS inside a transaction ---- */

static void test_set_perms_in_tx(void **state)
{
	struct fx *f = *state;
	static const struct xs_perm p34[] = {
		{.domid = 3, .access = PERM_READ},
		{.domid = 4, .access = PERM_WRITE},
	};
	static const struct xs_perm p6[] = {{.domid = 6, .access = PERM_NONE}};
	struct view *tv;

	assert_int_equal(put(&f->plain, "/p", "v"), 0);
	tv = tx_open(f, 0, 0);
	assert_int_equal(view_set_perms(tv, "/p", p34, 2), 0);
	assert_perms(tv, "/p", p34, 2);
	assert_value(tv, "/p", "v");
	assert_perms(&f->plain, "/p", perm_root, 1);
	/* A write keeps the node's (new) permissions. */
	assert_int_equal(put(tv, "/p", "w"), 0);
	assert_perms(tv, "/p", p34, 2);
	/* Children created now inherit them. */
	assert_int_equal(put(tv, "/p/c", "c"), 0);
	assert_perms(tv, "/p/c", p34, 2);
	/* And perms of a node created in the transaction. */
	assert_int_equal(mkdir_(tv, "/q"), 0);
	assert_int_equal(view_set_perms(tv, "/q", p6, 1), 0);
	assert_perms(tv, "/q", p6, 1);
	assert_int_equal(view_set_perms(tv, "/nope", p6, 1), -ENOENT);
	assert_int_equal(store_owner_nodes(&f->s, 3), 0);

	assert_int_equal(tx_commit(f, 0), 0);
	assert_perms(&f->plain, "/p", p34, 2);
	assert_perms(&f->plain, "/p/c", p34, 2);
	assert_perms(&f->plain, "/q", p6, 1);
	assert_value(&f->plain, "/p", "w");
	assert_int_equal(store_owner_nodes(&f->s, 3), 2);
	assert_int_equal(store_owner_nodes(&f->s, 6), 1);
	assert_int_equal(f->cch.n, 3);
	assert_change(&f->cch, 0, "/p", false);
	assert_change(&f->cch, 1, "/p/c", false);
	assert_change(&f->cch, 2, "/q", false);
	store_ok(&f->s);
}

/* ---- the commit's change list ---- */

static void test_commit_changes_once_in_order(void **state)
{
	struct fx *f = *state;
	static const struct xs_perm p2[] = {{.domid = 2, .access = PERM_READ}};
	struct view *tv;

	assert_int_equal(put(&f->plain, "/b", "0"), 0);
	tv = tx_open(f, 0, 0);
	assert_int_equal(put(tv, "/a", "1"), 0);
	assert_int_equal(put(tv, "/b", "1"), 0);
	assert_int_equal(put(tv, "/a", "2"), 0);
	assert_int_equal(view_set_perms(tv, "/b", p2, 1), 0);
	assert_int_equal(mkdir_(tv, "/c"), 0);
	assert_int_equal(mkdir_(tv, "/a"), 0);
	assert_int_equal(put(tv, "/b", "3"), 0);
	assert_int_equal(f->t[0]->nmods, 6);
	assert_int_equal(tx_commit(f, 0), 0);
	assert_int_equal(f->cch.n, 3);
	assert_change(&f->cch, 0, "/a", false);
	assert_change(&f->cch, 1, "/b", false);
	assert_change(&f->cch, 2, "/c", false);
	assert_int_equal(f->cch.error, 0);
	assert_value(&f->plain, "/a", "2");
	assert_value(&f->plain, "/b", "3");
	assert_perms(&f->plain, "/b", p2, 1);
	store_ok(&f->s);
}

/* May an unprivileged domid hear of change ch (read any of its lists)? */
static bool may_hear(const struct change *ch, uint32_t domid)
{
	const struct caller c = {.domid = domid, .target = ACL_NO_TARGET};
	const struct xs_perm *p = ch->perms;

	for (int i = 0; i < CHANGE_PERM_SETS; i++) {
		if (ch->nperms[i] &&
		    (acl_access(&c, p, ch->nperms[i], NULL) & PERM_READ))
			return true;
		p += ch->nperms[i];
	}
	return false;
}

/*
 * A path changed twice in one commit is reported once, but to everyone
 * who would have heard of either change: here a write, then SET_PERMS
 * granting domain 6 read access.  Done outside a transaction, domain 6
 * hears the second change.
 */
static void test_commit_change_perms_merged(void **state)
{
	struct fx *f = *state;
	static const struct xs_perm grant6[] = {
		{.domid = 0, .access = PERM_NONE},
		{.domid = 6, .access = PERM_READ},
	};
	struct view *tv;

	assert_int_equal(put(&f->plain, "/a", "0"), 0);
	/* Plain: the SET_PERMS event reaches domain 6. */
	assert_int_equal(put(&f->plain, "/a", "1"), 0);
	assert_int_equal(view_set_perms(&f->plain, "/a", grant6, 2), 0);
	assert_int_equal(f->ch.n, 3);
	assert_false(may_hear(&f->ch.v[1], 6));
	assert_true(may_hear(&f->ch.v[2], 6));
	assert_int_equal(view_set_perms(&f->plain, "/a", perm_root, 1), 0);

	tv = tx_open(f, 0, 0);
	assert_int_equal(put(tv, "/a", "2"), 0);
	assert_int_equal(view_set_perms(tv, "/a", grant6, 2), 0);
	assert_int_equal(tx_commit(f, 0), 0);
	assert_int_equal(f->cch.n, 1);
	assert_change(&f->cch, 0, "/a", false);
	assert_true(may_hear(&f->cch.v[0], 6));
	assert_false(may_hear(&f->cch.v[0], 7));
}

static void test_commit_empty_and_read_only(void **state)
{
	struct fx *f = *state;
	struct view *tv;
	uint64_t gen;

	tx_open(f, 0, 0);
	gen = f->s.gen;
	assert_int_equal(tx_commit(f, 0), 0);
	assert_int_equal(f->cch.n, 0);
	assert_int_equal(f->s.gen, gen);

	assert_int_equal(put(&f->plain, "/x", "1"), 0);
	tv = tx_open(f, 0, 0);
	assert_value(tv, "/x", "1");
	gen = f->s.gen;
	assert_int_equal(tx_commit(f, 0), 0);
	assert_int_equal(f->cch.n, 0);
	assert_int_equal(f->s.gen, gen);
}

/* ---- conflicts ---- */

static void test_conflict_read_then_written(void **state)
{
	struct fx *f = *state;
	struct view *tv;

	assert_int_equal(put(&f->plain, "/x", "1"), 0);
	tv = tx_open(f, 0, 0);
	assert_value(tv, "/x", "1");
	assert_int_equal(put(tv, "/y", "t"), 0);
	assert_int_equal(put(&f->plain, "/x", "2"), 0);
	assert_int_equal(tx_commit(f, 0), -EAGAIN);
	/* Nothing applied, nothing to fire. */
	assert_int_equal(f->cch.n, 0);
	assert_missing(&f->plain, "/y");
	assert_value(&f->plain, "/x", "2");
	store_ok(&f->s);
}

static void test_conflict_same_value_rewritten(void **state)
{
	struct fx *f = *state;
	struct view *tv;

	/* Generations, not values, decide: an identical rewrite conflicts. */
	assert_int_equal(put(&f->plain, "/x", "1"), 0);
	tv = tx_open(f, 0, 0);
	assert_value(tv, "/x", "1");
	assert_int_equal(put(&f->plain, "/x", "1"), 0);
	assert_int_equal(tx_commit(f, 0), -EAGAIN);
}

static void test_conflict_perms_changed(void **state)
{
	struct fx *f = *state;
	static const struct xs_perm p2[] = {{.domid = 2, .access = PERM_READ}};
	struct view *tv;

	assert_int_equal(put(&f->plain, "/x", "1"), 0);
	tv = tx_open(f, 0, 0);
	assert_value(tv, "/x", "1");
	assert_int_equal(view_set_perms(&f->plain, "/x", p2, 1), 0);
	assert_int_equal(tx_commit(f, 0), -EAGAIN);
}

static void test_two_read_x_write_y(void **state)
{
	struct fx *f = *state;
	struct view *t1, *t2;

	assert_int_equal(put(&f->plain, "/x", "1"), 0);
	t1 = tx_open(f, 0, 0);
	t2 = tx_open(f, 1, 0);
	assert_value(t1, "/x", "1");
	assert_value(t2, "/x", "1");
	assert_int_equal(put(t1, "/y", "from1"), 0);
	assert_int_equal(put(t2, "/y", "from2"), 0);
	assert_int_equal(tx_commit(f, 0), 0);
	assert_int_equal(tx_commit(f, 1), -EAGAIN);
	assert_value(&f->plain, "/y", "from1");

	/* The same with /y existing before. */
	t1 = tx_open(f, 0, 0);
	t2 = tx_open(f, 1, 0);
	assert_value(t1, "/x", "1");
	assert_value(t2, "/x", "1");
	assert_int_equal(put(t1, "/y", "again1"), 0);
	assert_int_equal(put(t2, "/y", "again2"), 0);
	assert_int_equal(tx_commit(f, 1), 0);
	assert_int_equal(tx_commit(f, 0), -EAGAIN);
	assert_value(&f->plain, "/y", "again2");
	store_ok(&f->s);
}

static void test_disjoint_both_commit(void **state)
{
	struct fx *f = *state;
	struct view *t1, *t2;

	assert_int_equal(put(&f->plain, "/k1", "a"), 0);
	assert_int_equal(put(&f->plain, "/k2", "b"), 0);
	t1 = tx_open(f, 0, 0);
	t2 = tx_open(f, 1, 0);
	assert_value(t1, "/k1", "a");
	assert_value(t2, "/k2", "b");
	assert_int_equal(put(t1, "/k1", "A"), 0);
	assert_int_equal(put(t2, "/k2", "B"), 0);
	assert_int_equal(tx_commit(f, 0), 0);
	assert_int_equal(tx_commit(f, 1), 0);
	assert_value(&f->plain, "/k1", "A");
	assert_value(&f->plain, "/k2", "B");
	assert_int_equal(f->cch.n, 1);
	assert_change(&f->cch, 0, "/k2", false);
	store_ok(&f->s);
}

static void test_siblings_both_commit(void **state)
{
	struct fx *f = *state;
	struct view *t1, *t2;

	assert_int_equal(mkdir_(&f->plain, "/p"), 0);
	t1 = tx_open(f, 0, 0);
	t2 = tx_open(f, 1, 0);
	assert_int_equal(put(t1, "/p/a", "1"), 0);
	assert_int_equal(put(t2, "/p/b", "2"), 0);
	assert_list(t1, "/p", "a");
	assert_list(t2, "/p", "b");
	assert_int_equal(tx_commit(f, 1), 0);
	/* t1 listed /p: that read is now stale. */
	assert_int_equal(tx_commit(f, 0), -EAGAIN);
	assert_list(&f->plain, "/p", "b");

	/* Without the listing both go through; the parent lists both. */
	t1 = tx_open(f, 0, 0);
	t2 = tx_open(f, 1, 0);
	assert_int_equal(put(t1, "/p/c", "3"), 0);
	assert_int_equal(put(t2, "/p/d", "4"), 0);
	assert_int_equal(mkdir_(t2, "/p/e"), 0);
	assert_int_equal(tx_commit(f, 1), 0);
	assert_int_equal(tx_commit(f, 0), 0);
	assert_list(&f->plain, "/p", "b,d,e,c");
	store_ok(&f->s);
}

static void test_siblings_missing_parent_conflict(void **state)
{
	struct fx *f = *state;
	struct view *t1, *t2;

	/* Both create /q: the second saw it missing, and it is not now. */
	t1 = tx_open(f, 0, 0);
	t2 = tx_open(f, 1, 0);
	assert_int_equal(put(t1, "/q/a", "1"), 0);
	assert_int_equal(put(t2, "/q/b", "2"), 0);
	assert_int_equal(tx_commit(f, 0), 0);
	assert_int_equal(tx_commit(f, 1), -EAGAIN);
	assert_list(&f->plain, "/q", "a");
}

static void test_read_deleted_meanwhile(void **state)
{
	struct fx *f = *state;
	struct view *tv;

	assert_int_equal(put(&f->plain, "/x/y", "1"), 0);
	tv = tx_open(f, 0, 0);
	assert_value(tv, "/x/y", "1");
	assert_int_equal(view_rm(&f->plain, "/x"), 0);
	assert_int_equal(tx_commit(f, 0), -EAGAIN);

	/* A node seen missing that appears meanwhile: the same. */
	tv = tx_open(f, 0, 0);
	assert_missing(tv, "/x");
	assert_int_equal(put(tv, "/other", "o"), 0);
	assert_int_equal(mkdir_(&f->plain, "/x"), 0);
	assert_int_equal(tx_commit(f, 0), -EAGAIN);
	assert_missing(&f->plain, "/other");

	/* Deleted and re-created with the same value: still a conflict. */
	assert_int_equal(put(&f->plain, "/z", "1"), 0);
	tv = tx_open(f, 0, 0);
	assert_value(tv, "/z", "1");
	assert_int_equal(view_rm(&f->plain, "/z"), 0);
	assert_int_equal(put(&f->plain, "/z", "1"), 0);
	assert_int_equal(tx_commit(f, 0), -EAGAIN);
}

static void test_list_changed_meanwhile(void **state)
{
	struct fx *f = *state;
	struct view *tv;

	assert_int_equal(put(&f->plain, "/d/a", "1"), 0);

	/* A child added. */
	tv = tx_open(f, 0, 0);
	assert_list(tv, "/d", "a");
	assert_int_equal(mkdir_(&f->plain, "/d/b"), 0);
	assert_int_equal(tx_commit(f, 0), -EAGAIN);

	/* A child removed. */
	tv = tx_open(f, 0, 0);
	assert_list(tv, "/d", "a,b");
	assert_int_equal(view_rm(&f->plain, "/d/b"), 0);
	assert_int_equal(tx_commit(f, 0), -EAGAIN);

	/* A child's value changed: the list did not, no conflict. */
	tv = tx_open(f, 0, 0);
	assert_list(tv, "/d", "a");
	assert_int_equal(put(&f->plain, "/d/a", "2"), 0);
	assert_int_equal(put(&f->plain, "/d/a/grandchild", "3"), 0);
	assert_int_equal(tx_commit(f, 0), 0);

	/* Listing a directory the transaction itself changed. */
	tv = tx_open(f, 0, 0);
	assert_int_equal(put(tv, "/d/n", "n"), 0);
	assert_list(tv, "/d", "a,n");
	assert_int_equal(mkdir_(&f->plain, "/d/m"), 0);
	assert_int_equal(tx_commit(f, 0), -EAGAIN);
	store_ok(&f->s);
}

/*
 * A listing that found no directory is a read too: if the directory
 * appears before the commit, the transaction acted on a stale state.
 */
static void test_list_missing_then_created(void **state)
{
	struct fx *f = *state;
	struct view *tv;
	char buf[64];

	tv = tx_open(f, 0, 0);
	assert_int_equal(ls(tv, "/x", buf, sizeof(buf)), -ENOENT);
	assert_int_equal(put(tv, "/y", "made because /x was missing"), 0);
	assert_int_equal(put(&f->plain, "/x/c", "1"), 0);
	assert_int_equal(tx_commit(f, 0), -EAGAIN);
	assert_missing(&f->plain, "/y");
}

/*
 * A write that read nothing still observes its node (txn_write looks it
 * up first), so a change to that node after the start fails the commit -
 * also a change made before the write, since the transaction sees the
 * node as it was at the start.
 */
static void test_blind_write(void **state)
{
	struct fx *f = *state;
	struct view *tv;

	assert_int_equal(put(&f->plain, "/b", "1"), 0);
	tv = tx_open(f, 0, 0);
	assert_int_equal(view_write(tv, "/b", "t", 1, true, NULL, 0), 0);
	assert_int_equal(put(&f->plain, "/b", "2"), 0);
	assert_int_equal(tx_commit(f, 0), -EAGAIN);
	assert_value(&f->plain, "/b", "2");

	tv = tx_open(f, 0, 0);
	assert_int_equal(put(&f->plain, "/b", "3"), 0);
	assert_int_equal(view_write(tv, "/b", "t", 1, true, NULL, 0), 0);
	assert_int_equal(tx_commit(f, 0), -EAGAIN);
	assert_value(&f->plain, "/b", "3");

	/* Nothing in between: the blind write goes through. */
	tv = tx_open(f, 0, 0);
	assert_int_equal(view_write(tv, "/b", "t", 1, true, NULL, 0), 0);
	assert_int_equal(tx_commit(f, 0), 0);
	assert_value(&f->plain, "/b", "t");

	/* A blind rm observes its node the same way. */
	tv = tx_open(f, 0, 0);
	assert_int_equal(view_rm(tv, "/b"), 0);
	assert_int_equal(put(&f->plain, "/b", "4"), 0);
	assert_int_equal(tx_commit(f, 0), -EAGAIN);
	assert_value(&f->plain, "/b", "4");
}

static void test_no_false_conflicts(void **state)
{
	struct fx *f = *state;
	struct view *tv;

	assert_int_equal(put(&f->plain, "/a/keep", "k"), 0);
	tv = tx_open(f, 0, 0);
	assert_int_equal(put(tv, "/a/x", "1"), 0);
	assert_int_equal(put(tv, "/new/deep/node", "2"), 0);
	/* Unrelated changes: new top-level nodes, a sibling, its value. */
	assert_int_equal(put(&f->plain, "/zzz", "z"), 0);
	assert_int_equal(put(&f->plain, "/a/other", "o"), 0);
	assert_int_equal(put(&f->plain, "/a/keep", "K"), 0);
	assert_int_equal(view_rm(&f->plain, "/zzz"), 0);
	assert_int_equal(tx_commit(f, 0), 0);
	assert_list(&f->plain, "/a", "keep,other,x");
	assert_value(&f->plain, "/new/deep/node", "2");

	/* A parent's value changed after a child was created: conflict
	   (creating a child observes the parent's value and permissions). */
	tv = tx_open(f, 0, 0);
	assert_int_equal(put(tv, "/a/y", "1"), 0);
	assert_int_equal(put(&f->plain, "/a", "parent"), 0);
	assert_int_equal(tx_commit(f, 0), -EAGAIN);
	store_ok(&f->s);
}

/* ---- quota ---- */

static void test_quota_max_nodes(void **state)
{
	struct fx *f = *state;
	struct view *tv;
	char buf[64];

	assert_int_equal(put(&f->plain, "/e", "1"), 0);
	tv = tx_open(f, 0, 3);
	assert_missing(tv, "/a");
	assert_missing(tv, "/b");
	assert_value(tv, "/e", "1");
	assert_int_equal(f->t[0]->nnodes, 3);
	assert_int_equal(get(tv, "/c", buf, sizeof(buf)), -ENOSPC);
	assert_int_equal(ls(tv, "/", buf, sizeof(buf)), -ENOSPC);
	assert_int_equal(put(tv, "/d", "x"), -ENOSPC);
	assert_int_equal(view_rm(tv, "/c"), -ENOSPC);
	/* Nodes already touched stay usable. */
	assert_missing(tv, "/a");
	assert_int_equal(put(tv, "/e", "2"), 0);
	assert_value(tv, "/e", "2");
	assert_int_equal(f->t[0]->nnodes, 3);
	assert_int_equal(tx_commit(f, 0), 0);
	assert_value(&f->plain, "/e", "2");
	assert_missing(&f->plain, "/d");

	/* No quota: no limit. */
	tv = tx_open(f, 0, 0);
	for (int i = 0; i < 3000; i++) {
		snprintf(buf, sizeof(buf), "/many/n%d", i);
		assert_int_equal(put(tv, buf, "v"), 0);
	}
	assert_int_equal(f->t[0]->nnodes, 3002); /* n*, /many, / */
	assert_int_equal(tx_commit(f, 0), 0);
	assert_int_equal(f->s.root->first_child->next_sib->nchildren, 3000);
	store_ok(&f->s);
}

/*
 * A write refused for the quota must leave the transaction as it was.
 * Here the refusal comes half-way through creating /a/b/c below the
 * removed /a, after /a was already re-created privately.
 */
static void test_quota_failed_write_leaves_no_trace(void **state)
{
	struct fx *f = *state;
	struct view *tv;

	assert_int_equal(put(&f->plain, "/a", "1"), 0);
	tv = tx_open(f, 0, 3);
	assert_int_equal(view_rm(tv, "/a"), 0);
	assert_int_equal(put(tv, "/a/b/c", "x"), -ENOSPC);
	assert_missing(tv, "/a");
	assert_missing(tv, "/a/b");
	assert_int_equal(tx_commit(f, 0), 0);
	assert_missing(&f->plain, "/a");
}

/* ---- txn_free ---- */

static int count_name(void *arg, const char *name, size_t len)
{
	(*(unsigned int *)arg)++;
	return 0;
}

static void test_free_uncommitted(void **state)
{
	struct fx *f = *state;
	static const struct xs_perm p3[] = {{.domid = 3, .access = PERM_BOTH},
					    {.domid = 1, .access = PERM_READ}};
	struct view *tv;
	char buf[64];

	assert_int_equal(put(&f->plain, "/s/t", "1"), 0);
	tv = tx_open(f, 0, 0);
	for (int i = 0; i < 200; i++) {
		snprintf(buf, sizeof(buf), "/s/n%d/m", i);
		assert_int_equal(put(tv, buf, "value"), 0);
		if (i % 3 == 0)
			assert_int_equal(view_set_perms(tv, buf, p3, 2), 0);
		if (i % 5 == 0) {
			snprintf(buf, sizeof(buf), "/s/n%d", i);
			assert_int_equal(view_rm(tv, buf), 0);
		}
	}
	assert_int_equal(view_rm(tv, "/s/t"), 0);
	assert_int_equal(mkdir_(tv, "/s/t/u"), 0);
	uint64_t cgen;
	unsigned int nkids = 0;
	assert_int_equal(view_list(tv, "/s", count_name, &nkids, &cgen), 0);
	assert_int_equal(nkids, 1 + 200 - 40); /* t, and n<i> but every 5th */
	size_t count = f->s.count;
	uint64_t gen = f->s.gen;
	txn_free(f->t[0]);
	f->t[0] = NULL;
	assert_int_equal(f->s.count, count);
	assert_int_equal(f->s.gen, gen);
	assert_missing(&f->plain, "/s/n1");
	txn_free(NULL);
	store_ok(&f->s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		fx_case(test_plain_view_changes),
		fx_case(test_reads_see_committed),
		fx_case(test_snapshot),
		fx_case(test_snapshot_list_order),
		fx_case(test_snapshot_list_order_dir_removed),
		fx_case(test_history_dropped),
		fx_case(test_writes_private_until_commit),
		fx_case(test_read_own_writes_and_rm),
		fx_case(test_list_merges),
		fx_case(test_list_root_in_tx),
		fx_case(test_list_order_matches_commit),
		fx_case(test_list_order_recreated_child),
		fx_case(test_rm_then_recreate_below),
		fx_case(test_rm_recreate_same_node),
		fx_case(test_set_perms_in_tx),
		fx_case(test_commit_changes_once_in_order),
		fx_case(test_commit_change_perms_merged),
		fx_case(test_commit_empty_and_read_only),
		fx_case(test_conflict_read_then_written),
		fx_case(test_conflict_same_value_rewritten),
		fx_case(test_conflict_perms_changed),
		fx_case(test_two_read_x_write_y),
		fx_case(test_disjoint_both_commit),
		fx_case(test_siblings_both_commit),
		fx_case(test_siblings_missing_parent_conflict),
		fx_case(test_read_deleted_meanwhile),
		fx_case(test_list_changed_meanwhile),
		fx_case(test_list_missing_then_created),
		fx_case(test_blind_write),
		fx_case(test_no_false_conflicts),
		fx_case(test_quota_max_nodes),
		fx_case(test_quota_failed_write_leaves_no_trace),
		fx_case(test_free_uncommitted),
	};

	return cmocka_run_group_tests_name("daemon_txn", tests, NULL, NULL);
}
