/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of src/common/path.c: which strings are node paths, how a
 * relative or special path is made canonical, the part of a path that the
 * per-domain path-length quota counts, and the ancestry and depth helpers.
 * Expected values follow the protocol text (SPEC.md "Paths") and, where it
 * is silent, Xen's C xenstored (canonicalize() and is_valid_nodename() in
 * tools/xenstore/xenstored_core.c).  Long paths live in heap blocks of
 * exactly their size so over-reads show under SANITIZE=address.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>


#include "common/path.h"
#include "unit.h"
#include "xenstore/wire.h"

/*
 * A NUL-terminated string of exactly len bytes in a block of len + 1:
 * prefix, then 'a' up to len.
 */
static char *make_path(const char *prefix, size_t len)
{
	size_t plen = strlen(prefix);
	char *p = unit_alloc(len + 1);

	assert_true(plen <= len);
	memcpy(p, prefix, plen);
	memset(p + plen, 'a', len - plen);
	p[len] = '\0';
	return p;
}

/* ---- path_char_ok, path_is_special, path_home ---- */

static void test_char_ok(void **state)
{
	static const char allowed[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				      "abcdefghijklmnopqrstuvwxyz"
				      "0123456789-/_@";
	unsigned int count = 0;

	for (int c = CHAR_MIN; c <= CHAR_MAX; c++) {
		bool want = c != 0 && strchr(allowed, c) != NULL;

		assert_int_equal(path_char_ok((char)c), want);
		count += want;
	}
	assert_int_equal(count, 66);
	assert_false(path_char_ok('.'));
	assert_false(path_char_ok(' '));
	assert_false(path_char_ok('\0'));
	assert_false(path_char_ok('\x80'));
	assert_false(path_char_ok('\xff'));
}

static void test_is_special(void **state)
{
	assert_true(path_is_special("@releaseDomain"));
	assert_true(path_is_special("@introduceDomain"));
	assert_true(path_is_special("@"));
	assert_false(path_is_special("/"));
	assert_false(path_is_special("/@releaseDomain"));
	assert_false(path_is_special("a@"));
	assert_false(path_is_special(""));
}

static void test_home(void **state)
{
	char buf[PATH_HOME_MAX];

	assert_int_equal(path_home(0, buf), 15);
	assert_string_equal(buf, "/local/domain/0");
	assert_int_equal(path_home(5, buf), 15);
	assert_string_equal(buf, "/local/domain/5");
	assert_int_equal(path_home(65535, buf), 19);
	assert_string_equal(buf, "/local/domain/65535");
	/* The widest domid still fits PATH_HOME_MAX. */
	assert_int_equal(path_home(UINT_MAX, buf), 24);
	assert_string_equal(buf, "/local/domain/4294967295");
}

/* ---- path_check_abs ---- */

static void test_check_abs_valid(void **state)
{
	assert_int_equal(path_check_abs("/"), 0);
	assert_int_equal(path_check_abs("/a"), 0);
	assert_int_equal(path_check_abs("/a/b"), 0);
	assert_int_equal(path_check_abs("/local/domain/0/device/vif/0/state"),
			 0);
	assert_int_equal(path_check_abs("/AZaz09-_@"), 0);
	assert_int_equal(path_check_abs("/@"), 0);
	assert_int_equal(path_check_abs("/-/_/@"), 0);
}

static void test_check_abs_invalid(void **state)
{
	static const char *const bad[] = {
		"",	   /* empty */
		"a",	   /* relative */
		"a/b",	   /* relative */
		"@a",	   /* special, not a node */
		"//",	   /* double slash */
		"//a",	   /* double slash at the start */
		"/a//b",   /* double slash inside */
		"/a///b",  /* triple slash */
		"/a/",	   /* trailing slash */
		"/a/b/",   /* trailing slash */
		"/ ",	   /* blank */
		"/a b",	   /* blank inside */
		"/a.b",	   /* dot */
		"/.",	   /* dot component */
		"/..",	   /* dot-dot component */
		"/a/../b", /* dot-dot inside */
		"/a\x80",  /* byte above 0x7f */
		"/\xff",   /* byte above 0x7f */
		"/a\tb",   /* control character */
		"/a\nb",   /* newline */
		"/a*",	   /* glob */
		"/a:b",	   /* colon */
		"/a\\b",   /* backslash */
		"/a%b",	   /* percent */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(path_check_abs(bad[i]), -EINVAL);
}

static void test_check_abs_length(void **state)
{
	char *p;

	p = make_path("/", XS_ABS_PATH_MAX);
	assert_int_equal(strlen(p), 3072);
	assert_int_equal(path_check_abs(p), 0);
	unit_free(p);

	p = make_path("/", XS_ABS_PATH_MAX + 1);
	assert_int_equal(strlen(p), 3073);
	assert_int_equal(path_check_abs(p), -EINVAL);
	unit_free(p);

	p = make_path("/", 10000);
	assert_int_equal(path_check_abs(p), -EINVAL);
	unit_free(p);

	/* 3072 bytes made of many components. */
	p = make_path("/", XS_ABS_PATH_MAX);
	for (size_t i = 2; i < XS_ABS_PATH_MAX - 1; i += 2)
		p[i] = '/';
	assert_int_equal(path_check_abs(p), 0);
	unit_free(p);

	/* An illegal character in the very last byte. */
	p = make_path("/", XS_ABS_PATH_MAX);
	p[XS_ABS_PATH_MAX - 1] = '.';
	assert_int_equal(path_check_abs(p), -EINVAL);
	unit_free(p);
}

/* ---- path_canonical ---- */

#define REL_POISON ((size_t)0x5a5a5a5a)

struct canon {
	char *out; /* exactly PATH_BUF_SIZE bytes of heap */
	size_t rel_len;
};

/*
 * path_canonical into a fresh, poisoned, exact-size output buffer; c starts
 * as CANON_INIT and the previous buffer is released on each call.
 */
#define CANON_INIT {NULL, 0}
static int canon(struct canon *c, const char *in, unsigned int domid,
		 bool allow_special)
{
	if (c->out != NULL)
		unit_free(c->out);
	c->out = unit_alloc(PATH_BUF_SIZE);
	memset(c->out, 0x5a, PATH_BUF_SIZE);
	c->rel_len = REL_POISON;
	return path_canonical(in, domid, allow_special, c->out, &c->rel_len);
}

static void test_canonical_relative(void **state)
{
	struct canon c = CANON_INIT;

	assert_int_equal(canon(&c, "a/b", 5, false), 0);
	assert_string_equal(c.out, "/local/domain/5/a/b");
	assert_int_equal(c.rel_len, 16);

	assert_int_equal(canon(&c, "a", 0, false), 0);
	assert_string_equal(c.out, "/local/domain/0/a");
	assert_int_equal(c.rel_len, 16);

	assert_int_equal(canon(&c, "device/vif/0/state", 123, true), 0);
	assert_string_equal(c.out, "/local/domain/123/device/vif/0/state");
	assert_int_equal(c.rel_len, 18);

	assert_int_equal(canon(&c, "x", 65535, false), 0);
	assert_string_equal(c.out, "/local/domain/65535/x");
	assert_int_equal(c.rel_len, 20);

	/* The added prefix is exactly what must be cut to report it back. */
	assert_int_equal(canon(&c, "data/x", 7, false), 0);
	assert_string_equal(c.out + c.rel_len, "data/x");
}

static void test_canonical_absolute(void **state)
{
	struct canon c = CANON_INIT;

	assert_int_equal(canon(&c, "/a/b", 5, false), 0);
	assert_string_equal(c.out, "/a/b");
	assert_int_equal(c.rel_len, 0);

	assert_int_equal(canon(&c, "/", 5, true), 0);
	assert_string_equal(c.out, "/");
	assert_int_equal(c.rel_len, 0);

	assert_int_equal(canon(&c, "/local/domain/9/x", 5, false), 0);
	assert_string_equal(c.out, "/local/domain/9/x");
	assert_int_equal(c.rel_len, 0);
}

static void test_canonical_special(void **state)
{
	struct canon c = CANON_INIT;

	assert_int_equal(canon(&c, "@releaseDomain", 0, true), 0);
	assert_string_equal(c.out, "@releaseDomain");
	assert_int_equal(c.rel_len, 0);

	assert_int_equal(canon(&c, "@introduceDomain", 7, true), 0);
	assert_string_equal(c.out, "@introduceDomain");
	assert_int_equal(c.rel_len, 0);

	assert_int_equal(canon(&c, "@releaseDomain/5", 0, true), 0);
	assert_string_equal(c.out, "@releaseDomain/5");
	assert_int_equal(c.rel_len, 0);

	/* Not allowed: special names are only for watches. */
	assert_int_equal(canon(&c, "@releaseDomain", 0, false), -EINVAL);
	assert_int_equal(c.rel_len, 0);
	assert_int_equal(canon(&c, "@introduceDomain", 5, false), -EINVAL);
	assert_int_equal(c.rel_len, 0);

	/* Allowed, but not well formed. */
	assert_int_equal(canon(&c, "@release Domain", 0, true), -EINVAL);
	assert_int_equal(canon(&c, "@release.Domain", 0, true), -EINVAL);
	assert_int_equal(canon(&c, "@releaseDomain//5", 0, true), -EINVAL);
	assert_int_equal(canon(&c, "@a\x80", 0, true), -EINVAL);
}

/*
 * Xen rejects a trailing '/' on every name, special ones included
 * (canonicalize(): strends(name, "/") && !streq(name, "/")).
 */
static void test_canonical_special_trailing_slash(void **state)
{
	struct canon c = CANON_INIT;

	assert_int_equal(canon(&c, "@releaseDomain/", 0, true), -EINVAL);
	assert_int_equal(c.rel_len, 0);
	assert_int_equal(canon(&c, "@/", 0, true), -EINVAL);
	assert_int_equal(canon(&c, "@releaseDomain/5/", 0, true), -EINVAL);
}

static void test_canonical_invalid(void **state)
{
	static const char *const bad[] = {
		"",	 "a/",	 "a//b", "a b",	 "./a", "../a",
		"a/./b", "a.b",	 "/a/",	 "//",	 "/a//b", "a\x80",
	};
	struct canon c = CANON_INIT;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(canon(&c, bad[i], 5, true), -EINVAL);
		assert_int_equal(c.rel_len, 0);
	}
}

static void test_canonical_length(void **state)
{
	struct canon c = CANON_INIT;
	char *p;

	/* Relative for domid 5: 15 + 1 + 3056 = 3072 is the most. */
	p = make_path("", XS_ABS_PATH_MAX - 16);
	assert_int_equal(canon(&c, p, 5, false), 0);
	assert_int_equal(strlen(c.out), XS_ABS_PATH_MAX);
	assert_int_equal(c.rel_len, 16);
	assert_memory_equal(c.out, "/local/domain/5/aaa", 19);
	unit_free(p);

	p = make_path("", XS_ABS_PATH_MAX - 15);
	assert_int_equal(canon(&c, p, 5, false), -EINVAL);
	assert_int_equal(c.rel_len, 0);
	unit_free(p);

	/* A longer home leaves less room. */
	p = make_path("", XS_ABS_PATH_MAX - 20);
	assert_int_equal(canon(&c, p, 65535, false), 0);
	assert_int_equal(strlen(c.out), XS_ABS_PATH_MAX);
	unit_free(p);
	p = make_path("", XS_ABS_PATH_MAX - 19);
	assert_int_equal(canon(&c, p, 65535, false), -EINVAL);
	unit_free(p);

	/* Relative input as long as the whole limit, and longer. */
	p = make_path("", XS_ABS_PATH_MAX);
	assert_int_equal(canon(&c, p, 0, false), -EINVAL);
	unit_free(p);
	p = make_path("", 10000);
	assert_int_equal(canon(&c, p, 0, false), -EINVAL);
	assert_int_equal(c.rel_len, 0);
	unit_free(p);

	/* Absolute: 3072 fits, 3073 does not. */
	p = make_path("/", XS_ABS_PATH_MAX);
	assert_int_equal(canon(&c, p, 5, false), 0);
	assert_string_equal(c.out, p);
	assert_int_equal(c.rel_len, 0);
	unit_free(p);
	p = make_path("/", XS_ABS_PATH_MAX + 1);
	assert_int_equal(canon(&c, p, 5, false), -EINVAL);
	unit_free(p);

	/* Special: the same 3072-byte bound. */
	p = make_path("@", XS_ABS_PATH_MAX);
	assert_int_equal(canon(&c, p, 0, true), 0);
	assert_string_equal(c.out, p);
	unit_free(p);
	p = make_path("@", XS_ABS_PATH_MAX + 1);
	assert_int_equal(canon(&c, p, 0, true), -EINVAL);
	unit_free(p);
}

/* ---- path_quota_len ---- */

static void test_quota_len_outside_homes(void **state)
{
	assert_int_equal(path_quota_len("/other/path"), 11);
	assert_int_equal(path_quota_len("/"), 1);
	assert_int_equal(path_quota_len("/local"), 6);
	assert_int_equal(path_quota_len("/local/domain"), 13);
	assert_int_equal(path_quota_len("/local/domain/"), 14);
	assert_int_equal(path_quota_len("/local/domain/abc/x"), 19);
	assert_int_equal(path_quota_len("/local/domain/5x/a"), 18);
	assert_int_equal(path_quota_len("/local/domainx/5/a"), 18);
	assert_int_equal(path_quota_len("/local/domain/-5/a"), 18);
	assert_int_equal(path_quota_len("/vm/local/domain/5/a"), 20);
}

/*
 * Below a home, the quota counts what the guest would write as a relative
 * path, as Xen does (strlen(name) - local_off, where local_off ends after
 * "/local/domain/<domid>/"), so that a relative path of exactly
 * XS_REL_PATH_MAX bytes passes a quota of XS_REL_PATH_MAX.  The home node
 * itself is not below its home and counts in full.
 */
static void test_quota_len_below_home(void **state)
{
	struct canon c = CANON_INIT;
	char *p;

	assert_int_equal(path_quota_len("/local/domain/5/foo"), 3);
	assert_int_equal(path_quota_len("/local/domain/0/a/b"), 3);
	assert_int_equal(path_quota_len("/local/domain/65535/x"), 1);
	assert_int_equal(path_quota_len("/local/domain/5"), 15);

	p = make_path("", XS_REL_PATH_MAX);
	assert_int_equal(canon(&c, p, 5, false), 0);
	assert_int_equal(path_quota_len(c.out), XS_REL_PATH_MAX);
	unit_free(p);
}

/* ---- path_is_below, path_depth ---- */

static void test_is_below(void **state)
{
	assert_true(path_is_below("/a", "/a"));
	assert_true(path_is_below("/a/b", "/a"));
	assert_true(path_is_below("/a/b/c", "/a"));
	assert_true(path_is_below("/a/b/c", "/a/b"));
	assert_false(path_is_below("/ab", "/a"));
	assert_false(path_is_below("/a", "/ab"));
	assert_false(path_is_below("/a", "/a/b"));
	assert_false(path_is_below("/b", "/a"));
	assert_false(path_is_below("/a/bc", "/a/b"));
	assert_false(path_is_below("/a-b", "/a"));

	/* The root holds every node, itself included, but no special name. */
	assert_true(path_is_below("/", "/"));
	assert_true(path_is_below("/a", "/"));
	assert_true(path_is_below("/a/b/c", "/"));
	assert_false(path_is_below("/", "/a"));
	assert_false(path_is_below("@releaseDomain", "/"));

	/* Special names nest the same way. */
	assert_true(path_is_below("@releaseDomain", "@releaseDomain"));
	assert_true(path_is_below("@releaseDomain/5", "@releaseDomain"));
	assert_false(path_is_below("@releaseDomainX", "@releaseDomain"));
	assert_false(path_is_below("@releaseDomain", "@releaseDomain/5"));
}

static void test_depth(void **state)
{
	assert_int_equal(path_depth("/"), 0);
	assert_int_equal(path_depth("/a"), 1);
	assert_int_equal(path_depth("/a/b"), 2);
	assert_int_equal(path_depth("/local/domain/5"), 3);
	assert_int_equal(path_depth("/local/domain/5/device/vif/0/state"), 7);
	assert_int_equal(path_depth("@releaseDomain"), 0);
	assert_int_equal(path_depth("@releaseDomain/5"), 1);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		unit_case(test_char_ok),
		unit_case(test_is_special),
		unit_case(test_home),
		unit_case(test_check_abs_valid),
		unit_case(test_check_abs_invalid),
		unit_case(test_check_abs_length),
		unit_case(test_canonical_relative),
		unit_case(test_canonical_absolute),
		unit_case(test_canonical_special),
		unit_case(test_canonical_special_trailing_slash),
		unit_case(test_canonical_invalid),
		unit_case(test_canonical_length),
		unit_case(test_quota_len_outside_homes),
		unit_case(test_quota_len_below_home),
		unit_case(test_is_below),
		unit_case(test_depth),
	};

	return cmocka_run_group_tests_name("path", tests, NULL, NULL);
}
