/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of src/common/perms.c: parsing one permission entry from its
 * wire text ("r5", "b0", ...) and formatting it back.  A failed parse must
 * leave the output entry untouched, and formatting must fit in
 * PERM_TEXT_MAX bytes (checked with an exact-size heap buffer, so an
 * overflow shows under SANITIZE=address).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>


#include "common/perms.h"
#include "unit.h"

/* perm_parse into an entry poisoned first, to see when it is written. */
static int parse(const char *text, struct xs_perm *out)
{
	out->domid = 0xdeadbeef;
	out->access = 0x5a;
	return perm_parse(text, out);
}

static void assert_untouched(const struct xs_perm *p)
{
	assert_int_equal(p->domid, 0xdeadbeef);
	assert_int_equal(p->access, 0x5a);
}

static void test_parse_letters(void **state)
{
	struct xs_perm p;

	assert_int_equal(parse("n0", &p), 0);
	assert_int_equal(p.access, PERM_NONE);
	assert_int_equal(p.domid, 0);

	assert_int_equal(parse("r5", &p), 0);
	assert_int_equal(p.access, PERM_READ);
	assert_int_equal(p.domid, 5);

	assert_int_equal(parse("w7", &p), 0);
	assert_int_equal(p.access, PERM_WRITE);
	assert_int_equal(p.domid, 7);

	assert_int_equal(parse("b12", &p), 0);
	assert_int_equal(p.access, PERM_BOTH);
	assert_int_equal(p.domid, 12);
	assert_int_equal(PERM_BOTH, PERM_READ | PERM_WRITE);
}

static void test_parse_domid_range(void **state)
{
	struct xs_perm p;

	assert_int_equal(parse("r65535", &p), 0);
	assert_int_equal(p.access, PERM_READ);
	assert_int_equal(p.domid, 65535);
	assert_int_equal(parse("b32767", &p), 0);
	assert_int_equal(p.domid, 32767);
	assert_int_equal(parse("n32768", &p), 0);
	assert_int_equal(p.domid, 32768);

	assert_int_equal(parse("r65536", &p), -EINVAL);
	assert_untouched(&p);
	assert_int_equal(parse("r70000", &p), -EINVAL);
	assert_untouched(&p);
	assert_int_equal(parse("r4294967296", &p), -EINVAL);
	assert_untouched(&p);
	assert_int_equal(parse("r99999999999999999999999", &p), -EINVAL);
	assert_untouched(&p);
}

static void test_parse_bad_letter(void **state)
{
	static const char *const bad[] = {
		"x5", "R5", "N0", "W1", "B2", "5", "", " r5", "-1", "rw5",
		"\2005", /* byte 0x80, then 5 */
	};
	struct xs_perm p;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(bad[i], &p), -EINVAL);
		assert_untouched(&p);
	}
}

static void test_parse_bad_domid(void **state)
{
	static const char *const bad[] = {
		"r", "n", "w", "b",	/* no domid */
		"r-1", "r+1", "r 1", "r1 ", "r\t1",
		"r5x", "r0x10", "r1.0", "r1e3", "rr5",
	};
	struct xs_perm p;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(bad[i], &p), -EINVAL);
		assert_untouched(&p);
	}
}

static void test_format(void **state)
{
	char *buf = unit_alloc(PERM_TEXT_MAX);
	struct xs_perm p;

	p.domid = 0;
	p.access = PERM_NONE;
	assert_int_equal(perm_format(&p, buf), 2);
	assert_string_equal(buf, "n0");

	p.domid = 65535;
	p.access = PERM_BOTH;
	assert_int_equal(perm_format(&p, buf), 6);
	assert_string_equal(buf, "b65535");

	p.domid = 3;
	p.access = PERM_WRITE;
	assert_int_equal(perm_format(&p, buf), 2);
	assert_string_equal(buf, "w3");

	p.domid = 42;
	p.access = PERM_READ;
	assert_int_equal(perm_format(&p, buf), 3);
	assert_string_equal(buf, "r42");
	unit_free(buf);
}

/*
 * struct xs_perm holds any uint32_t domid, and perm_format() returns the
 * length of what it wrote; the text of the widest domid must fit.
 */
static void test_format_widest_domid(void **state)
{
	char *buf = unit_alloc(PERM_TEXT_MAX);
	struct xs_perm p;

	p.domid = UINT32_MAX;
	p.access = PERM_BOTH;
	assert_int_equal(perm_format(&p, buf), 11);
	assert_string_equal(buf, "b4294967295");
	unit_free(buf);
}

static void test_round_trip(void **state)
{
	static const char letters[] = "nrwb";
	static const uint32_t domids[] = {0, 1, 5, 9, 10, 99, 100, 32767,
					  65534, 65535};
	char *buf = unit_alloc(PERM_TEXT_MAX);

	for (size_t l = 0; l < 4; l++) {
		for (size_t d = 0; d < sizeof(domids) / sizeof(domids[0]);
		     d++) {
			char text[16];
			struct xs_perm p, q;
			int n = snprintf(text, sizeof(text), "%c%u",
					 letters[l], (unsigned int)domids[d]);

			assert_true(n > 0 && (size_t)n < sizeof(text));
			/* text -> entry -> text */
			assert_int_equal(parse(text, &p), 0);
			assert_int_equal(p.domid, domids[d]);
			assert_int_equal(p.access, l);
			assert_int_equal(perm_format(&p, buf), (size_t)n);
			assert_string_equal(buf, text);
			/* entry -> text -> entry */
			assert_int_equal(parse(buf, &q), 0);
			assert_int_equal(q.domid, p.domid);
			assert_int_equal(q.access, p.access);
		}
	}
	unit_free(buf);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		unit_case(test_parse_letters),
		unit_case(test_parse_domid_range),
		unit_case(test_parse_bad_letter),
		unit_case(test_parse_bad_domid),
		unit_case(test_format),
		unit_case(test_format_widest_domid),
		unit_case(test_round_trip),
	};

	return cmocka_run_group_tests_name("perms", tests, NULL, NULL);
}
