/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of src/daemon/watch.c, the watch index: watch_add and
 * watch_remove (EEXIST for a duplicate (path, token) of one owner, ENOENT
 * for an unknown one), watch_remove_all for one owner; which watches
 * watch_fire reaches - a watch on /a hears /a and everything below, not
 * /ab or /b; a watch on / hears everything; depth N reaches N levels below
 * the watch path; exact firing only reaches watches on the path itself;
 * special paths only match themselves, and watch_fire_special reports the
 * domain to depth-1 watches; the event path of relative watches
 * (watch_event_path strips rel_len); and an index holding 10,000
 * unrelated watches still delivers exactly the right ones.  Each test owns
 * one index with two owners, emptied and released by cmocka around it.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/watch.h"
#include "unit.h"

#define EVENTS_MAX 64

struct fx {
	struct watch_index idx;
	struct watch *la, *lb; /* owner A's and owner B's lists */
	int owner_a, owner_b;  /* their addresses are the owners */
	/* what the last fire delivered */
	size_t n;
	struct watch *w[EVENTS_MAX];
	char path[EVENTS_MAX][64];
};

static int fx_setup(void **state)
{
	static struct fx f;

	memset(&f, 0, sizeof(f));
	if (watch_index_init(&f.idx) != 0)
		return -1;
	*state = &f;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;

	watch_remove_all(&f->idx, &f->la);
	watch_remove_all(&f->idx, &f->lb);
	watch_index_release(&f->idx);
	return unit_teardown(state);
}

#define fx_case(t) cmocka_unit_test_setup_teardown(t, fx_setup, fx_teardown)

static struct watch *add(struct fx *f, struct watch **list, const char *path,
			 const char *token, int depth)
{
	struct watch *w = NULL;
	void *owner = list == &f->la ? (void *)&f->owner_a : (void *)&f->owner_b;

	assert_int_equal(watch_add(&f->idx, owner, list, path, token, 0, depth, &w),
			 0);
	assert_non_null(w);
	return w;
}

static void deliver(void *arg, struct watch *w, const char *event_path)
{
	struct fx *f = arg;

	assert_true(f->n < EVENTS_MAX);
	assert_true(strlen(event_path) < sizeof(f->path[0]));
	f->w[f->n] = w;
	strcpy(f->path[f->n], event_path);
	f->n++;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * Fire path and compare the tokens reached, as a sorted blank-separated
 * list ("" for none).  Every event must report path itself.
 */
static void fire_expect(struct fx *f, const char *path, bool exact,
			const char *expect)
{
	const char *tok[EVENTS_MAX];
	char got[512] = "";

	f->n = 0;
	watch_fire(&f->idx, path, exact, deliver, f);
	for (size_t i = 0; i < f->n; i++) {
		assert_string_equal(f->path[i], path);
		tok[i] = f->w[i]->token;
	}
	qsort(tok, f->n, sizeof(tok[0]), cmp_str);
	for (size_t i = 0; i < f->n; i++) {
		if (i)
			strcat(got, " ");
		assert_true(strlen(got) + strlen(tok[i]) < sizeof(got));
		strcat(got, tok[i]);
	}
	if (strcmp(got, expect) != 0)
		fail_msg("fire %s%s reached \"%s\", expected \"%s\"", path,
			 exact ? " (exact)" : "", got, expect);
}

/* ---- add and remove ---- */

static void test_add_remove(void **state)
{
	struct fx *f = *state;
	struct watch *w = NULL, *w2 = NULL;

	assert_int_equal(watch_add(&f->idx, &f->owner_a, &f->la, "/a", "tok", 0,
				   -1, &w),
			 0);
	assert_non_null(w);
	assert_string_equal(w->path, "/a");
	assert_string_equal(w->token, "tok");
	assert_int_equal(w->plen, 2);
	assert_ptr_equal(w->owner, &f->owner_a);
	assert_int_equal(w->rel_len, 0);
	assert_int_equal(w->depth, -1);
	assert_ptr_equal(f->la, w);
	assert_int_equal(f->idx.count, 1);

	/* The same (path, token) again for the same owner. */
	assert_int_equal(watch_add(&f->idx, &f->owner_a, &f->la, "/a", "tok", 0,
				   2, &w2),
			 -EEXIST);
	assert_null(w2);
	assert_int_equal(f->idx.count, 1);
	/* Another token, another path, or another owner: fine. */
	add(f, &f->la, "/a", "tok2", -1);
	add(f, &f->la, "/b", "tok", -1);
	add(f, &f->lb, "/a", "tok", -1);
	assert_int_equal(f->idx.count, 4);
	fire_expect(f, "/a", false, "tok tok tok2");

	assert_int_equal(watch_remove(&f->idx, &f->la, "/a", "tok"), 0);
	assert_int_equal(f->idx.count, 3);
	assert_int_equal(watch_remove(&f->idx, &f->la, "/a", "tok"), -ENOENT);
	assert_int_equal(watch_remove(&f->idx, &f->la, "/c", "tok"), -ENOENT);
	assert_int_equal(watch_remove(&f->idx, &f->la, "/a", "tok3"), -ENOENT);
	/* B's watch is not A's to remove. */
	assert_int_equal(watch_remove(&f->idx, &f->la, "/a", "tok"), -ENOENT);
	assert_int_equal(f->idx.count, 3);
	fire_expect(f, "/a", false, "tok tok2");
	assert_ptr_equal(f->w[0]->owner == &f->owner_b ? f->w[0] : f->w[1],
			 f->lb);
	/* Removed: it can be added again. */
	add(f, &f->la, "/a", "tok", -1);
	assert_int_equal(f->idx.count, 4);
}

static void test_remove_all(void **state)
{
	struct fx *f = *state;
	char tok[16];

	for (int i = 0; i < 5; i++) {
		snprintf(tok, sizeof(tok), "a%d", i);
		add(f, &f->la, i % 2 ? "/x" : "/x/y", tok, -1);
	}
	add(f, &f->lb, "/x", "b0", -1);
	add(f, &f->lb, "/x/y", "b1", -1);
	assert_int_equal(f->idx.count, 7);
	fire_expect(f, "/x/y", false, "a0 a1 a2 a3 a4 b0 b1");
	watch_remove_all(&f->idx, &f->la);
	assert_null(f->la);
	assert_int_equal(f->idx.count, 2);
	fire_expect(f, "/x/y", false, "b0 b1");
	watch_remove_all(&f->idx, &f->la); /* empty: nothing happens */
	assert_int_equal(f->idx.count, 2);
	assert_int_equal(watch_remove(&f->idx, &f->lb, "/x", "b0"), 0);
	fire_expect(f, "/x/y", false, "b1");
}

/* ---- matching ---- */

static void test_fire_prefixes(void **state)
{
	struct fx *f = *state;

	add(f, &f->la, "/a", "a", -1);
	add(f, &f->la, "/ab", "ab", -1);
	add(f, &f->la, "/b", "b", -1);
	add(f, &f->la, "/a/b/c", "abc", -1);
	add(f, &f->lb, "/", "root", -1);
	add(f, &f->lb, "/a/bc", "abc2", -1);

	fire_expect(f, "/a", false, "a root");
	fire_expect(f, "/a/b", false, "a root");
	fire_expect(f, "/a/b/c", false, "a abc root");
	fire_expect(f, "/a/b/c/d/e", false, "a abc root");
	fire_expect(f, "/a/bc", false, "a abc2 root");
	fire_expect(f, "/a/b/cd", false, "a root");
	fire_expect(f, "/ab", false, "ab root");
	fire_expect(f, "/ab/c", false, "ab root");
	fire_expect(f, "/abc", false, "root");
	fire_expect(f, "/b", false, "b root");
	fire_expect(f, "/c", false, "root");
	fire_expect(f, "/", false, "root");
}

static void test_depth(void **state)
{
	struct fx *f = *state;

	add(f, &f->la, "/a", "d0", 0);
	add(f, &f->la, "/a", "d1", 1);
	add(f, &f->la, "/a", "d2", 2);
	add(f, &f->la, "/a", "all", -1);
	add(f, &f->lb, "/", "r0", 0);
	add(f, &f->lb, "/", "r1", 1);
	add(f, &f->lb, "/", "r3", 3);

	fire_expect(f, "/", false, "r0 r1 r3");
	fire_expect(f, "/a", false, "all d0 d1 d2 r1 r3");
	fire_expect(f, "/a/b", false, "all d1 d2 r3");
	fire_expect(f, "/a/b/c", false, "all d2 r3");
	fire_expect(f, "/a/b/c/d", false, "all");
	fire_expect(f, "/x", false, "r1 r3");
	fire_expect(f, "/x/y/z", false, "r3");
	fire_expect(f, "/x/y/z/w", false, "");
	/* Depth counts components, not bytes. */
	fire_expect(f, "/a/longer-name", false, "all d1 d2 r3");
}

static void test_fire_exact(void **state)
{
	struct fx *f = *state;

	add(f, &f->la, "/", "root", -1);
	add(f, &f->la, "/a", "a", -1);
	add(f, &f->la, "/a/b", "ab", -1);
	add(f, &f->lb, "/a/b", "ab0", 0);
	add(f, &f->lb, "/a/b/c", "abc", -1);

	/* Only watches on the path itself, whatever their depth. */
	fire_expect(f, "/a/b", true, "ab ab0");
	fire_expect(f, "/a/b/c", true, "abc");
	fire_expect(f, "/a/b/c/d", true, "");
	fire_expect(f, "/a/x", true, "");
	fire_expect(f, "/", true, "root");
	fire_expect(f, "/a/b", false, "a ab ab0 root");
}

static void test_special(void **state)
{
	struct fx *f = *state;
	const char *named[EVENTS_MAX];

	add(f, &f->la, "/", "root", -1);
	add(f, &f->la, "@introduceDomain", "intro", -1);
	add(f, &f->la, "@releaseDomain", "rel", -1);
	add(f, &f->lb, "@releaseDomain", "rel1", 1);
	add(f, &f->lb, "@releaseDomain/5", "rel5", -1);
	add(f, &f->lb, "@releaseDomain/6", "rel6", -1);

	/* Special paths are not below "/", and match only themselves. */
	fire_expect(f, "@introduceDomain", false, "intro");
	fire_expect(f, "@releaseDomain", false, "rel rel1");
	fire_expect(f, "@releaseDomain/5", false, "rel5");
	fire_expect(f, "/local", false, "root");

	/* One domain's event: depth-1 watches hear which domain. */
	f->n = 0;
	watch_fire_special(&f->idx, "@releaseDomain", 5, deliver, f);
	assert_int_equal(f->n, 3);
	for (size_t i = 0; i < f->n; i++) {
		const char *tok = f->w[i]->token;
		named[i] = tok;
		if (strcmp(tok, "rel") == 0)
			assert_string_equal(f->path[i], "@releaseDomain");
		else if (strcmp(tok, "rel1") == 0 || strcmp(tok, "rel5") == 0)
			assert_string_equal(f->path[i], "@releaseDomain/5");
		else
			fail_msg("%s reached", tok);
	}
	qsort(named, f->n, sizeof(named[0]), cmp_str);
	assert_string_equal(named[0], "rel");
	assert_string_equal(named[1], "rel1");
	assert_string_equal(named[2], "rel5");

	f->n = 0;
	watch_fire_special(&f->idx, "@introduceDomain", 6, deliver, f);
	assert_int_equal(f->n, 1);
	assert_string_equal(f->w[0]->token, "intro");
	assert_string_equal(f->path[0], "@introduceDomain");
}

/* ---- event paths ---- */

static void test_event_path(void **state)
{
	struct fx *f = *state;
	struct watch *rel = NULL;
	static const char home[] = "/local/domain/5/";
	const char *ev;

	/* A watch set as "device" by domain 5. */
	assert_int_equal(watch_add(&f->idx, &f->owner_a, &f->la,
				   "/local/domain/5/device", "t",
				   (uint32_t)strlen(home), -1, &rel),
			 0);
	assert_int_equal(rel->rel_len, 16);
	ev = "/local/domain/5/device/vif/0";
	assert_string_equal(watch_event_path(rel, ev), "device/vif/0");
	assert_ptr_equal(watch_event_path(rel, ev), ev + 16);
	assert_string_equal(watch_event_path(rel, "/local/domain/5/device"),
			    "device");
	/* Shorter than the prefix: reported as it is. */
	ev = "/local/domain/5";
	assert_ptr_equal(watch_event_path(rel, ev), ev);

	struct watch *abs = add(f, &f->la, "/local/domain/5/device", "u", -1);
	ev = "/local/domain/5/device/vif";
	assert_ptr_equal(watch_event_path(abs, ev), ev);

	/* The index hands the absolute path to deliver. */
	fire_expect(f, "/local/domain/5/device/vif", false, "t u");
	for (size_t i = 0; i < f->n; i++)
		assert_string_equal(watch_event_path(f->w[i], f->path[i]),
				    f->w[i] == rel ? "device/vif"
						   : "/local/domain/5/device/vif");
}

/* ---- a big index ---- */

static void test_many_unrelated(void **state)
{
	struct fx *f = *state;
	char path[64], tok[32];

	for (int i = 0; i < 10000; i++) {
		snprintf(path, sizeof(path), "/local/domain/%d/data/n%d", i % 100,
			 i);
		snprintf(tok, sizeof(tok), "u%d", i);
		add(f, i % 2 ? &f->la : &f->lb, path, tok, i % 3 ? -1 : 0);
	}
	assert_int_equal(f->idx.count, 10000);
	assert_true(f->idx.nbuckets >= f->idx.count);
	assert_int_equal(f->idx.nbuckets & (f->idx.nbuckets - 1), 0);

	add(f, &f->la, "/target", "t0", -1);
	add(f, &f->lb, "/target/x", "t1", 0);
	add(f, &f->la, "/target/x/y", "t2", -1);

	fire_expect(f, "/target/x/y", false, "t0 t2");
	fire_expect(f, "/target/x", false, "t0 t1");
	fire_expect(f, "/local/domain/7", false, "");
	fire_expect(f, "/local/domain/7/data", false, "");
	fire_expect(f, "/local/domain/7/data/n7", false, "u7");
	fire_expect(f, "/local/domain/7/data/n7/below", false, "u7");
	/* u9999: depth 0, so nothing below it. */
	fire_expect(f, "/local/domain/99/data/n9999", false, "u9999");
	fire_expect(f, "/local/domain/99/data/n9999/below", false, "");
	fire_expect(f, "/local/domain/98/data/n9999", false, "");
	fire_expect(f, "/local/domain/99/data/n999", false, "u999");
	fire_expect(f, "/local/domain/99/data/n99990", false, "");

	/* Every one of them reachable, and only itself. */
	for (int i = 0; i < 10000; i += 37) {
		snprintf(path, sizeof(path), "/local/domain/%d/data/n%d", i % 100,
			 i);
		snprintf(tok, sizeof(tok), "u%d", i);
		fire_expect(f, path, true, tok);
	}

	/* Half removed at once, the rest still intact. */
	watch_remove_all(&f->idx, &f->la);
	assert_int_equal(f->idx.count, 5000 + 1);
	fire_expect(f, "/target/x/y", false, "");
	fire_expect(f, "/target/x", false, "t1");
	fire_expect(f, "/local/domain/8/data/n8", false, "u8");
	fire_expect(f, "/local/domain/7/data/n7", false, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		fx_case(test_add_remove),
		fx_case(test_remove_all),
		fx_case(test_fire_prefixes),
		fx_case(test_depth),
		fx_case(test_fire_exact),
		fx_case(test_special),
		fx_case(test_event_path),
		fx_case(test_many_unrelated),
	};

	return cmocka_run_group_tests_name("daemon_watch", tests, NULL, NULL);
}
