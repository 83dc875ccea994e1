/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of src/daemon/store.c, the node database: the tree store_init
 * builds; store_create with missing ancestors (permissions copied, gen and
 * cgen stamped, child counts and creation order); store_lookup, _nearest
 * and _child; how store_set_value and store_set_perms move the generation
 * numbers; store_remove of a subtree with its visit callback (each removed
 * node once, with its full path, children before parents, the top last);
 * per-owner node counts; store_path; store_check, both on healthy stores
 * and on deliberately broken ones; snapshots (the states a change replaces
 * are kept only while a snapshot is open, and store_state_at and
 * store_list_at show the tree as of a snapshot).  Size tests: a chain of 2000 levels (refused: too long)
 * (longer than any valid path, so without the visit callback) and one of
 * the deepest valid depth (1536 levels) with it, both removed without
 * recursion; a node with 10,000 children.  Every test owns one store,
 * set up and released around it by cmocka, so a failed assertion leaks
 * nothing.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/path.h"
#include "common/perms.h"
#include "daemon/store.h"
#include "unit.h"

static const struct xs_perm perm_dom0[] = {{.domid = 0, .access = PERM_NONE}};
static const struct xs_perm perm_dom5[] = {
	{.domid = 5, .access = PERM_READ},
	{.domid = 7, .access = PERM_WRITE},
};
static const struct xs_perm perm_dom9[] = {{.domid = 9, .access = PERM_BOTH}};

static int store_setup(void **state)
{
	static struct store s;

	if (store_init(&s) != 0)
		return -1;
	*state = &s;
	return 0;
}

static int store_teardown(void **state)
{
	store_release(*state);
	return unit_teardown(state);
}

#define store_case(f) cmocka_unit_test_setup_teardown(f, store_setup, store_teardown)

/* store_check must say OK. */
static void assert_store_ok(const struct store *s)
{
	char msg[256];

	int ret = store_check(s, msg, sizeof(msg));
	if (ret != 0)
		fail_msg("store_check: %s", msg);
	assert_string_equal(msg, "OK");
}

static struct node *create(struct store *s, const char *path,
			   const struct xs_perm *perms, uint32_t nperms)
{
	struct node *n = NULL;

	assert_int_equal(store_create(s, path, perms, nperms, &n), 0);
	assert_non_null(n);
	return n;
}

static struct node *lookup(struct store *s, const char *path)
{
	struct node *n = store_lookup(s, path);

	if (!n)
		fail_msg("%s missing", path);
	return n;
}

/* The children of n as "a,b,c", in list order. */
static void child_names(const struct node *n, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (const struct node *c = n->first_child; c; c = c->next_sib) {
		int w = snprintf(buf + len, size - len, "%s%s", len ? "," : "",
				 c->name);
		assert_true(w > 0 && (size_t)w < size - len);
		len += (size_t)w;
	}
}

static void assert_children(const struct node *n, const char *expect)
{
	char buf[512];

	child_names(n, buf, sizeof(buf));
	assert_string_equal(buf, expect);
}

static void assert_perms(const struct node *n, const struct xs_perm *p,
			 uint32_t np)
{
	assert_int_equal(n->nperms, np);
	for (uint32_t i = 0; i < np; i++) {
		assert_int_equal(n->perms[i].domid, p[i].domid);
		assert_int_equal(n->perms[i].access, p[i].access);
	}
}

/* ---- store_init ---- */

static void test_init(void **state)
{
	struct store *s = *state;
	const struct node *root = s->root;
	char buf[8];

	assert_non_null(root);
	assert_null(root->parent);
	assert_null(root->first_child);
	assert_null(root->last_child);
	assert_int_equal(root->nchildren, 0);
	assert_int_equal(root->namelen, 0);
	assert_string_equal(root->name, "");
	assert_null(root->value);
	assert_int_equal(root->vlen, 0);
	assert_perms(root, perm_dom0, 1);
	assert_int_equal(s->gen, 1);
	assert_int_equal(root->gen, 1);
	assert_int_equal(root->cgen, 1);
	assert_int_equal(s->count, 1);
	assert_int_equal(s->value_bytes, 0);
	assert_int_equal(store_owner_nodes(s, 0), 1);
	assert_int_equal(store_owner_nodes(s, 1), 0);
	assert_ptr_equal(store_lookup(s, "/"), root);
	assert_null(store_lookup(s, "/a"));
	assert_int_equal(store_path(root, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "/");
	assert_store_ok(s);
}

/* ---- store_create ---- */

static void test_create_with_ancestors(void **state)
{
	struct store *s = *state;
	struct xs_perm perms[2];

	memcpy(perms, perm_dom5, sizeof(perms));
	struct node *c = create(s, "/a/b/c", perms, 2);
	/* The store keeps a copy: changing ours afterwards changes nothing. */
	perms[0].domid = 99;
	perms[1].access = PERM_NONE;

	struct node *a = lookup(s, "/a");
	struct node *b = lookup(s, "/a/b");
	assert_ptr_equal(lookup(s, "/a/b/c"), c);
	assert_int_equal(s->gen, 2);
	assert_int_equal(s->count, 4);
	for (const struct node *n = c; n != s->root; n = n->parent) {
		assert_int_equal(n->gen, 2);
		assert_int_equal(n->cgen, 2);
		assert_perms(n, perm_dom5, 2);
		assert_ptr_not_equal(n->perms, perms);
		assert_null(n->value);
		assert_int_equal(n->vlen, 0);
	}
	assert_ptr_equal(c->parent, b);
	assert_ptr_equal(b->parent, a);
	assert_ptr_equal(a->parent, s->root);
	assert_string_equal(c->name, "c");
	assert_int_equal(c->namelen, 1);
	/* The root's list changed, its value and permissions did not. */
	assert_int_equal(s->root->gen, 1);
	assert_int_equal(s->root->cgen, 2);
	assert_int_equal(s->root->nchildren, 1);
	assert_int_equal(a->nchildren, 1);
	assert_int_equal(b->nchildren, 1);
	assert_int_equal(c->nchildren, 0);
	assert_int_equal(store_owner_nodes(s, 5), 3);
	assert_int_equal(store_owner_nodes(s, 7), 0);
	assert_int_equal(store_owner_nodes(s, 0), 1);
	assert_store_ok(s);
}

static void test_create_existing(void **state)
{
	struct store *s = *state;
	struct node *c = create(s, "/a/b", perm_dom5, 2);
	struct node *again = NULL;

	assert_int_equal(store_create(s, "/a/b", perm_dom9, 1, &again), 0);
	assert_ptr_equal(again, c);
	assert_int_equal(s->gen, 2);
	assert_int_equal(s->count, 3);
	assert_perms(c, perm_dom5, 2); /* existing nodes are left alone */
	assert_int_equal(store_create(s, "/", perm_dom9, 1, &again), 0);
	assert_ptr_equal(again, s->root);
	assert_int_equal(s->gen, 2);
	assert_perms(s->root, perm_dom0, 1);
	assert_store_ok(s);
}

static void test_create_below_existing(void **state)
{
	struct store *s = *state;
	struct node *a = create(s, "/a", perm_dom5, 2);

	/* Only the missing part is created, with the perms given now. */
	struct node *y = create(s, "/a/x/y", perm_dom9, 1);
	struct node *x = lookup(s, "/a/x");
	assert_int_equal(s->gen, 3);
	assert_perms(a, perm_dom5, 2);
	assert_perms(x, perm_dom9, 1);
	assert_perms(y, perm_dom9, 1);
	assert_int_equal(a->gen, 2);
	assert_int_equal(a->cgen, 3);
	assert_int_equal(x->gen, 3);
	assert_int_equal(y->gen, 3);
	assert_int_equal(s->root->cgen, 2);
	assert_int_equal(store_owner_nodes(s, 5), 1);
	assert_int_equal(store_owner_nodes(s, 9), 2);
	assert_store_ok(s);
}

static void test_child_order(void **state)
{
	struct store *s = *state;
	static const char *const names[] = {"zeta", "alpha", "mid", "b", "a"};
	struct node *p = create(s, "/p", perm_dom0, 1);
	char path[32];

	for (size_t i = 0; i < 5; i++) {
		snprintf(path, sizeof(path), "/p/%s", names[i]);
		create(s, path, perm_dom0, 1);
		assert_int_equal(p->nchildren, i + 1);
		assert_int_equal(p->cgen, s->gen);
	}
	assert_children(p, "zeta,alpha,mid,b,a");
	assert_string_equal(p->first_child->name, "zeta");
	assert_string_equal(p->last_child->name, "a");
	assert_null(p->first_child->prev_sib);
	assert_null(p->last_child->next_sib);
	assert_ptr_equal(p->last_child->prev_sib->next_sib, p->last_child);
	/* Removing one in the middle keeps the order of the others. */
	store_remove(s, lookup(s, "/p/mid"), "/p/mid", NULL, NULL);
	assert_children(p, "zeta,alpha,b,a");
	create(s, "/p/mid", perm_dom0, 1);
	assert_children(p, "zeta,alpha,b,a,mid");
	assert_store_ok(s);
}

/* ---- lookups ---- */

static void test_lookup_nearest_child(void **state)
{
	struct store *s = *state;
	struct node *b = create(s, "/a/b", perm_dom0, 1);
	struct node *a = lookup(s, "/a");
	struct node *ab = create(s, "/ab", perm_dom0, 1);
	size_t len = 99;

	assert_null(store_lookup(s, "/a/b/c"));
	assert_null(store_lookup(s, "/b"));
	assert_null(store_lookup(s, "/a/bc"));
	assert_ptr_equal(store_lookup(s, "/ab"), ab);

	assert_ptr_equal(store_nearest(s, "/a/b", &len), b);
	assert_int_equal(len, 4);
	assert_ptr_equal(store_nearest(s, "/a/b/c/d", &len), b);
	assert_int_equal(len, 4);
	assert_ptr_equal(store_nearest(s, "/a/x/b", &len), a);
	assert_int_equal(len, 2);
	assert_ptr_equal(store_nearest(s, "/x/a/b", &len), s->root);
	assert_int_equal(len, 1);
	assert_ptr_equal(store_nearest(s, "/", &len), s->root);
	assert_int_equal(len, 1);
	assert_ptr_equal(store_nearest(s, "/abc", &len), s->root);
	assert_int_equal(len, 1);

	assert_ptr_equal(store_child(s, s->root, "a", 1), a);
	assert_ptr_equal(store_child(s, s->root, "ab", 2), ab);
	/* The length counts, not the NUL. */
	assert_ptr_equal(store_child(s, s->root, "abc", 1), a);
	assert_ptr_equal(store_child(s, s->root, "abc", 2), ab);
	assert_null(store_child(s, s->root, "abc", 3));
	assert_ptr_equal(store_child(s, a, "b", 1), b);
	assert_null(store_child(s, s->root, "b", 1));
	assert_null(store_child(s, b, "b", 1));
}

/* ---- generations ---- */

static void test_set_value(void **state)
{
	struct store *s = *state;
	struct node *x = create(s, "/a/x", perm_dom0, 1);
	struct node *a = lookup(s, "/a");
	char buf[4] = {'v', '\0', '1', '2'};

	assert_int_equal(s->gen, 2);
	assert_int_equal(store_set_value(s, x, buf, sizeof(buf)), 0);
	buf[0] = 'X'; /* a copy was stored */
	assert_int_equal(x->vlen, 4);
	assert_memory_equal(x->value, "v\0" "12", 4);
	assert_int_equal(s->gen, 3);
	assert_int_equal(x->gen, 3);
	assert_int_equal(x->cgen, 2);
	assert_int_equal(a->gen, 2);
	assert_int_equal(a->cgen, 2); /* a value change is no list change */
	assert_int_equal(s->value_bytes, 4);

	assert_int_equal(store_set_value(s, x, "hello", 5), 0);
	assert_int_equal(x->gen, 4);
	assert_int_equal(s->value_bytes, 5);
	assert_int_equal(store_set_value(s, x, "", 0), 0);
	assert_null(x->value);
	assert_int_equal(x->vlen, 0);
	assert_int_equal(x->gen, 5);
	assert_int_equal(s->value_bytes, 0);
	assert_int_equal(a->cgen, 2);

	assert_int_equal(store_set_value(s, s->root, "r", 1), 0);
	assert_int_equal(s->root->gen, 6);
	assert_int_equal(s->root->cgen, 2);
	assert_int_equal(s->value_bytes, 1);
	assert_store_ok(s);
}

static void test_set_perms(void **state)
{
	struct store *s = *state;
	struct node *x = create(s, "/a/x", perm_dom5, 2);
	struct node *a = lookup(s, "/a");
	struct xs_perm p[3] = {
		{.domid = 9, .access = PERM_NONE},
		{.domid = 1, .access = PERM_READ},
		{.domid = 2, .access = PERM_BOTH},
	};

	assert_int_equal(store_owner_nodes(s, 5), 2);
	assert_int_equal(store_set_perms(s, x, p, 3), 0);
	p[0].domid = 4; /* a copy was stored */
	assert_int_equal(x->nperms, 3);
	assert_int_equal(x->perms[0].domid, 9);
	assert_int_equal(x->perms[1].domid, 1);
	assert_int_equal(x->perms[2].access, PERM_BOTH);
	assert_int_equal(s->gen, 3);
	assert_int_equal(x->gen, 3);
	assert_int_equal(a->cgen, 2);
	assert_int_equal(a->gen, 2);
	assert_int_equal(store_owner_nodes(s, 5), 1);
	assert_int_equal(store_owner_nodes(s, 9), 1);
	assert_int_equal(store_owner_nodes(s, 4), 0);

	/* Same owner, other grants: counts unchanged, gen moves. */
	assert_int_equal(store_set_perms(s, x, perm_dom9, 1), 0);
	assert_int_equal(x->gen, 4);
	assert_int_equal(store_owner_nodes(s, 9), 1);
	assert_int_equal(store_owner_nodes(s, 5), 1);

	/* The root can change hands too. */
	assert_int_equal(store_set_perms(s, s->root, perm_dom9, 1), 0);
	assert_int_equal(store_owner_nodes(s, 0), 0);
	assert_int_equal(store_owner_nodes(s, 9), 2);
	assert_int_equal(s->root->gen, 5);
	assert_int_equal(store_owner_nodes(s, PERM_DOMID_MAX), 0);
	assert_int_equal(store_owner_nodes(s, PERM_DOMID_MAX + 1), 0);
	assert_int_equal(store_owner_nodes(s, UINT32_MAX), 0);
	assert_store_ok(s);
}

/* ---- store_remove ---- */

#define VISITS_MAX 16

struct visits {
	struct store *s;
	size_t n;
	char path[VISITS_MAX][64];
	const struct node *node[VISITS_MAX];
};

static void record_visit(void *arg, const struct node *n, const char *path)
{
	struct visits *v = arg;

	assert_true(v->n < VISITS_MAX);
	assert_true(strlen(path) < sizeof(v->path[0]));
	/* Still linked while visited, and found under the path given. */
	assert_ptr_equal(store_lookup(v->s, path), n);
	/* Children before parents: nothing left below it. */
	assert_null(n->first_child);
	assert_int_equal(n->nchildren, 0);
	strcpy(v->path[v->n], path);
	v->node[v->n] = n;
	v->n++;
}

static void test_remove_subtree(void **state)
{
	struct store *s = *state;
	static const char *const expect[] = {
		"/t/a/x", "/t/a/y/z", "/t/a/y", "/t/a", "/t/b", "/t",
	};
	struct visits v = {.s = s};

	create(s, "/keep", perm_dom0, 1);
	create(s, "/t/a/x", perm_dom5, 2);
	create(s, "/t/a/y/z", perm_dom9, 1);
	create(s, "/t/b", perm_dom5, 2);
	assert_int_equal(store_set_value(s, lookup(s, "/t/a/y"), "val", 3), 0);
	assert_int_equal(store_set_value(s, lookup(s, "/keep"), "k", 1), 0);
	struct node *t = lookup(s, "/t");
	assert_int_equal(s->count, 8);
	assert_int_equal(s->value_bytes, 4);
	assert_int_equal(store_owner_nodes(s, 5), 4); /* /t /t/a /t/a/x /t/b */
	assert_int_equal(store_owner_nodes(s, 9), 2); /* /t/a/y /t/a/y/z */
	uint64_t gen = s->gen;

	store_remove(s, t, "/t", record_visit, &v);
	assert_int_equal(v.n, 6);
	for (size_t i = 0; i < 6; i++)
		assert_string_equal(v.path[i], expect[i]);
	assert_ptr_equal(v.node[5], t); /* the top last */
	for (size_t i = 0; i < 6; i++)
		for (size_t j = i + 1; j < 6; j++)
			assert_ptr_not_equal(v.node[i], v.node[j]);

	assert_int_equal(s->gen, gen + 1);
	assert_int_equal(s->root->cgen, gen + 1);
	assert_int_equal(s->root->nchildren, 1);
	assert_children(s->root, "keep");
	assert_int_equal(s->count, 2);
	assert_int_equal(s->value_bytes, 1);
	assert_int_equal(store_owner_nodes(s, 5), 0);
	assert_int_equal(store_owner_nodes(s, 9), 0);
	assert_int_equal(store_owner_nodes(s, 0), 2);
	for (size_t i = 0; i < 6; i++)
		assert_null(store_lookup(s, expect[i]));
	assert_non_null(store_lookup(s, "/keep"));
	assert_store_ok(s);
}

static void test_remove_leaf_and_parent_gens(void **state)
{
	struct store *s = *state;
	struct node *b = create(s, "/a/b", perm_dom0, 1);
	struct node *a = lookup(s, "/a");
	struct visits v = {.s = s};

	create(s, "/a/c", perm_dom0, 1);
	uint64_t agen = a->gen, gen = s->gen;
	store_remove(s, b, "/a/b", record_visit, &v);
	assert_int_equal(v.n, 1);
	assert_string_equal(v.path[0], "/a/b");
	assert_int_equal(a->gen, agen);   /* value/perms untouched */
	assert_int_equal(a->cgen, gen + 1); /* list changed */
	assert_int_equal(s->root->cgen, 2);
	assert_children(a, "c");
	/* No visitor at all is fine too. */
	store_remove(s, a, "/a", NULL, NULL);
	assert_int_equal(s->count, 1);
	assert_null(s->root->first_child);
	assert_null(s->root->last_child);
	assert_int_equal(s->root->nchildren, 0);
	assert_store_ok(s);
}

static void test_owner_counts(void **state)
{
	struct store *s = *state;
	char path[16];

	for (int i = 0; i < 10; i++) {
		snprintf(path, sizeof(path), "/o/n%d", i);
		create(s, path, i < 6 ? perm_dom5 : perm_dom9, i < 6 ? 2 : 1);
	}
	/* "/o" came with the first create, owned like it. */
	assert_int_equal(store_owner_nodes(s, 5), 7);
	assert_int_equal(store_owner_nodes(s, 9), 4);
	assert_int_equal(store_owner_nodes(s, 0), 1);
	assert_int_equal(store_set_perms(s, lookup(s, "/o/n0"), perm_dom9, 1), 0);
	assert_int_equal(store_owner_nodes(s, 5), 6);
	assert_int_equal(store_owner_nodes(s, 9), 5);
	store_remove(s, lookup(s, "/o/n9"), "/o/n9", NULL, NULL);
	assert_int_equal(store_owner_nodes(s, 9), 4);
	store_remove(s, lookup(s, "/o"), "/o", NULL, NULL);
	assert_int_equal(store_owner_nodes(s, 5), 0);
	assert_int_equal(store_owner_nodes(s, 9), 0);
	assert_int_equal(store_owner_nodes(s, 0), 1);
	assert_store_ok(s);
}

/* Bytes follow nodes through value changes, owner changes and removal. */
static void test_owner_bytes(void **state)
{
	struct store *s = *state;
	struct node *n = create(s, "/m/n", perm_dom5, 2);
	struct node *m = lookup(s, "/m");
	uint64_t base = node_charge(m);

	assert_int_equal(store_owner_bytes(s, 5), base + node_charge(n));
	assert_int_equal(store_set_value(s, n, "0123456789", 10), 0);
	assert_int_equal(store_owner_bytes(s, 5), base + node_charge(n));
	assert_int_equal(node_charge(n), sizeof(struct node) + 2 + 10 +
						 2 * sizeof(struct xs_perm));
	assert_int_equal(store_set_value(s, n, "x", 1), 0);
	assert_int_equal(store_owner_bytes(s, 5), base + node_charge(n));
	assert_int_equal(store_set_perms(s, n, perm_dom9, 1), 0);
	assert_int_equal(store_owner_bytes(s, 5), base);
	assert_int_equal(store_owner_bytes(s, 9), node_charge(n));
	assert_store_ok(s);
	store_remove(s, m, "/m", NULL, NULL);
	assert_int_equal(store_owner_bytes(s, 5), 0);
	assert_int_equal(store_owner_bytes(s, 9), 0);
	assert_store_ok(s);
}

/* ---- store_path ---- */

static void test_path(void **state)
{
	struct store *s = *state;
	struct node *n = create(s, "/local/domain/12/device", perm_dom0, 1);
	char buf[64];

	assert_int_equal(store_path(n, buf, sizeof(buf)), 23);
	assert_string_equal(buf, "/local/domain/12/device");
	/* Exactly enough room: length plus the NUL. */
	assert_int_equal(store_path(n, buf, 24), 23);
	assert_string_equal(buf, "/local/domain/12/device");
	memset(buf, 'X', sizeof(buf));
	assert_int_equal(store_path(n, buf, 23), 0);
	assert_int_equal(buf[0], 'X'); /* nothing written */
	assert_int_equal(store_path(n->parent, buf, sizeof(buf)), 16);
	assert_string_equal(buf, "/local/domain/12");
	assert_int_equal(store_path(s->root, buf, 2), 1);
	assert_string_equal(buf, "/");
	assert_int_equal(store_path(s->root, buf, 1), 0);

	/* An exact-size heap buffer, for ASan. */
	char *heap = unit_alloc(24);
	assert_int_equal(store_path(n, heap, 24), 23);
	assert_string_equal(heap, "/local/domain/12/device");
}

/* ---- store_check on broken stores ---- */

static void check_says(const struct store *s, const char *msg_prefix)
{
	char msg[256];

	assert_int_equal(store_check(s, msg, sizeof(msg)), -EIO);
	if (strncmp(msg, msg_prefix, strlen(msg_prefix)) != 0)
		fail_msg("store_check said \"%s\", expected \"%s...\"", msg,
			 msg_prefix);
}

static void test_check_detects_damage(void **state)
{
	struct store *s = *state;
	struct node *b = create(s, "/a/b", perm_dom5, 2);
	struct node *a = lookup(s, "/a");

	assert_store_ok(s);

	s->count++;
	check_says(s, "3 nodes in tree, 4 counted");
	s->count--;

	a->nchildren++;
	check_says(s, "child count wrong at /a");
	a->nchildren--;

	s->value_bytes = 7;
	check_says(s, "value bytes 0, counted 7");
	s->value_bytes = 0;

	s->owner_nodes[5]++;
	check_says(s, "domain 5 owns 2 nodes, counted 3");
	s->owner_nodes[5]--;

	uint64_t bytes = node_charge(a) + node_charge(b);
	s->owner_bytes[5]++;
	char want[96];
	snprintf(want, sizeof(want), "domain 5 owns %llu bytes, counted %llu",
		 (unsigned long long)bytes, (unsigned long long)bytes + 1);
	check_says(s, want);
	s->owner_bytes[5]--;

	b->gen = s->gen + 1;
	check_says(s, "generation from the future at /a/b");
	b->gen = s->gen;

	b->perms[0].domid = PERM_DOMID_MAX + 1;
	check_says(s, "bad permissions at /a/b");
	b->perms[0].domid = 5;

	assert_store_ok(s);
}

/* ---- snapshots ---- */

static int add_name(void *arg, const char *name, size_t len)
{
	char *buf = arg;
	size_t used = strlen(buf);

	assert_true(used + len + 2 < 64);
	if (used)
		buf[used++] = ',';
	memcpy(buf + used, name, len);
	buf[used + len] = '\0';
	return 0;
}

static void assert_list_at(struct store *s, const char *path, uint64_t gen,
			   const char *expect)
{
	char buf[64] = "";

	assert_int_equal(store_list_at(s, path, gen, add_name, buf), 0);
	assert_string_equal(buf, expect);
}

static void test_snapshot_states(void **state)
{
	struct store *s = *state;
	struct node *a = create(s, "/a", perm_dom5, 2);
	struct node_state st;
	struct snap sn;

	assert_int_equal(store_set_value(s, a, "1", 1), 0);
	create(s, "/a/k", perm_dom0, 1);
	assert_int_equal(s->hist.records, 0); /* no snapshot: nothing kept */
	uint64_t agen = a->gen, acgen = a->cgen, rcgen = s->root->cgen;

	store_snap_open(s, &sn);
	assert_int_equal(sn.gen, s->gen);
	assert_true(store_snap_intact(s, &sn));
	assert_int_equal(store_set_value(s, a, "2", 1), 0);
	assert_int_equal(store_set_perms(s, s->root, perm_dom9, 1), 0);
	create(s, "/b/c", perm_dom0, 1);
	store_remove(s, lookup(s, "/a"), "/a", NULL, NULL);
	assert_true(s->hist.records > 0);

	/* As of the snapshot. */
	store_state_at(s, "/a", sn.gen, &st);
	assert_true(st.exists);
	assert_int_equal(st.vlen, 1);
	assert_memory_equal(st.value, "1", 1);
	assert_int_equal(st.nperms, 2);
	assert_int_equal(st.perms[0].domid, 5);
	assert_int_equal(st.perms[1].access, PERM_WRITE);
	assert_int_equal(st.gen, agen);
	assert_int_equal(st.cgen, acgen);
	assert_int_equal(st.nchildren, 1);
	store_state_at(s, "/a/k", sn.gen, &st);
	assert_true(st.exists);
	store_state_at(s, "/b", sn.gen, &st);
	assert_false(st.exists);
	store_state_at(s, "/b/c", sn.gen, &st);
	assert_false(st.exists);
	store_state_at(s, "/", sn.gen, &st);
	assert_true(st.exists);
	assert_int_equal(st.perms[0].domid, 0);
	assert_int_equal(st.cgen, rcgen);
	assert_int_equal(st.nchildren, 1);
	assert_list_at(s, "/", sn.gen, "a");
	assert_list_at(s, "/a", sn.gen, "k");

	/* As of now. */
	store_state_at(s, "/a", UINT64_MAX, &st);
	assert_false(st.exists);
	store_state_at(s, "/b/c", UINT64_MAX, &st);
	assert_true(st.exists);
	store_state_at(s, "/", UINT64_MAX, &st);
	assert_int_equal(st.perms[0].domid, 9);
	assert_list_at(s, "/", UINT64_MAX, "b");

	store_snap_close(s, &sn);
	assert_int_equal(s->hist.records, 0);
	assert_int_equal(s->hist.bytes, 0);
	assert_int_equal(s->hist.npaths, 0);
	assert_store_ok(s);
}

/* ---- size ---- */

/* "/a/a/.../a" with levels components, on the heap. */
static char *chain_path(unsigned int levels)
{
	char *p = unit_alloc(2 * (size_t)levels + 1);

	for (unsigned int i = 0; i < levels; i++) {
		p[2 * i] = '/';
		p[2 * i + 1] = 'a';
	}
	p[2 * levels] = '\0';
	return p;
}

static void test_deep_chain_2000(void **state)
{
	struct store *s = *state;
	char *path = chain_path(2000);
	struct node *leaf = NULL;

	/* 4000 bytes: no valid path is that long, so the store refuses it
	 * rather than build nodes whose paths fit no buffer. */
	assert_int_equal(store_create(s, path, perm_dom5, 2, &leaf), -EINVAL);
	assert_null(leaf);
	assert_int_equal(s->count, 1);
	assert_int_equal(store_owner_nodes(s, 5), 0);
	assert_store_ok(s);
}

struct deep_visits {
	unsigned int n;
	size_t expect_len; /* of the next path */
	const char *path;  /* the full chain */
};

static void deep_visit(void *arg, const struct node *n, const char *path)
{
	struct deep_visits *v = arg;

	/* Deepest first, one level up each time. */
	assert_int_equal(strlen(path), v->expect_len);
	assert_memory_equal(path, v->path, v->expect_len);
	assert_null(n->first_child);
	v->expect_len -= 2;
	v->n++;
}

static void test_deep_chain_max_valid(void **state)
{
	struct store *s = *state;
	const unsigned int levels = 3072 / 2; /* the deepest valid path */
	char *path = chain_path(levels);
	struct deep_visits v = {.expect_len = strlen(path), .path = path};

	assert_int_equal(path_check_abs(path), 0);
	struct node *leaf = create(s, path, perm_dom0, 1);
	char *buf = unit_alloc(PATH_BUF_SIZE);
	assert_int_equal(store_path(leaf, buf, PATH_BUF_SIZE), 3072);
	assert_string_equal(buf, path);
	assert_int_equal(s->count, levels + 1);
	assert_store_ok(s);

	store_remove(s, lookup(s, "/a"), "/a", deep_visit, &v);
	assert_int_equal(v.n, levels);
	assert_int_equal(v.expect_len, 0);
	assert_int_equal(s->count, 1);
	assert_store_ok(s);
}

static void test_wide_10000(void **state)
{
	struct store *s = *state;
	const unsigned int n = 10000;
	char path[32];
	struct node *p = create(s, "/p", perm_dom0, 1);

	for (unsigned int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/p/c%05u", i);
		struct node *c = create(s, path, perm_dom5, 2);
		assert_ptr_equal(p->last_child, c);
	}
	assert_int_equal(p->nchildren, n);
	assert_int_equal(s->count, n + 2);
	assert_int_equal(store_owner_nodes(s, 5), n);
	/* Every child is found, and the list is in creation order. */
	unsigned int i = 0;
	for (const struct node *c = p->first_child; c; c = c->next_sib, i++) {
		snprintf(path, sizeof(path), "c%05u", i);
		assert_string_equal(c->name, path);
		assert_ptr_equal(store_child(s, p, c->name, c->namelen), c);
	}
	assert_int_equal(i, n);
	for (i = 0; i < n; i += 97) {
		snprintf(path, sizeof(path), "/p/c%05u", i);
		struct node *c = lookup(s, path);
		assert_ptr_equal(c->parent, p);
	}
	assert_null(store_lookup(s, "/p/c10000"));
	assert_store_ok(s);

	/* Remove one in the middle. */
	struct node *mid = lookup(s, "/p/c05000");
	struct node *before = mid->prev_sib, *after = mid->next_sib;
	store_remove(s, mid, "/p/c05000", NULL, NULL);
	assert_null(store_lookup(s, "/p/c05000"));
	assert_ptr_equal(before->next_sib, after);
	assert_ptr_equal(after->prev_sib, before);
	assert_string_equal(before->name, "c04999");
	assert_string_equal(after->name, "c05001");
	assert_int_equal(p->nchildren, n - 1);
	assert_int_equal(s->count, n + 1);
	assert_int_equal(store_owner_nodes(s, 5), n - 1);
	assert_non_null(store_lookup(s, "/p/c04999"));
	assert_non_null(store_lookup(s, "/p/c05001"));
	assert_store_ok(s);

	/* And the whole directory. */
	store_remove(s, p, "/p", NULL, NULL);
	assert_int_equal(s->count, 1);
	assert_int_equal(store_owner_nodes(s, 5), 0);
	assert_store_ok(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		store_case(test_init),
		store_case(test_create_with_ancestors),
		store_case(test_create_existing),
		store_case(test_create_below_existing),
		store_case(test_child_order),
		store_case(test_lookup_nearest_child),
		store_case(test_set_value),
		store_case(test_set_perms),
		store_case(test_remove_subtree),
		store_case(test_remove_leaf_and_parent_gens),
		store_case(test_owner_counts),
		store_case(test_owner_bytes),
		store_case(test_path),
		store_case(test_check_detects_damage),
		store_case(test_snapshot_states),
		store_case(test_deep_chain_2000),
		store_case(test_deep_chain_max_valid),
		store_case(test_wide_10000),
	};

	return cmocka_run_group_tests_name("daemon_store", tests, NULL, NULL);
}
