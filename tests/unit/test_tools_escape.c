/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of src/tools/escape.c: how the tools print values
 * (escape_value), how xenstore-write reads them (unescape_value, including
 * the sscanf quirks Xen's tools have), and permission entries as text.
 * Expected strings are what Debian's xenstore-read and xenstore-write
 * (Xen 4.17) print and store for the same input.
 */
#include <string.h>

#include "tools/tools.h"
#include "unit.h"

static void expect_escape(const char *val, size_t len, const char *want)
{
	struct esc_buf esc = {0};
	const char *got = escape_value(&esc, val, len);

	assert_non_null(got);
	assert_string_equal(got, want);
	esc_release(&esc);
}

static void test_escape_printable(void **state)
{
	expect_escape("", 0, "");
	expect_escape("hello world", 11, "hello world");
	expect_escape("~ !\"'", 5, "~ !\"'");
}

static void test_escape_special(void **state)
{
	expect_escape("a\tb\nc\rd\\e", 9, "a\\tb\\nc\\rd\\\\e");
	expect_escape("\0\001\007", 3, "\\000\\001\\007");
	expect_escape("\010\033\177\200\377", 5, "\\x08\\x1b\\x7f\\x80\\xff");
	expect_escape("x\0y", 3, "x\\000y");
}

static void test_escape_reuses_buffer(void **state)
{
	struct esc_buf esc = {0};

	assert_string_equal(escape_value(&esc, "\377\377", 2), "\\xff\\xff");
	assert_string_equal(escape_value(&esc, "ab", 2), "ab");
	esc_release(&esc);
}

static void expect_unescape(const char *in, const char *want, size_t want_len)
{
	size_t len = strlen(in);
	char *out = unit_alloc(len + 1);

	unescape_value(out, &len, in);
	assert_int_equal(len, want_len);
	assert_memory_equal(out, want, want_len);
	assert_int_equal(out[len], '\0');
}

static void test_unescape(void **state)
{
	expect_unescape("plain", "plain", 5);
	expect_unescape("a\\tb\\nc\\rd\\\\e", "a\tb\nc\rd\\e", 9);
	expect_unescape("\\x41\\101\\0z", "AA\0z", 4);
	/* Hex takes at most two digits, octal at most three. */
	expect_unescape("\\x414", "A4", 2);
	expect_unescape("\\1011", "A1", 2);
	expect_unescape("\\08", "\0" "8", 2);
	/* Octal values above 0377 keep their low byte. */
	expect_unescape("\\777", "\377", 1);
	/* Unknown escapes stand for the character itself. */
	expect_unescape("\\q\\\"", "q\"", 2);
	/* \x without digits stays an x. */
	expect_unescape("\\xzz", "xzz", 3);
	/* A trailing backslash becomes a NUL that counts. */
	expect_unescape("ab\\", "ab\0", 3);
	/* sscanf skips blanks before the number. */
	expect_unescape("\\x 41", "A", 1);
}

static void test_perm_to_text(void **state)
{
	struct xs_permissions p = {.id = 5, .perms = XS_PERM_READ};
	char buf[16];

	assert_true(perm_to_text(&p, buf, sizeof(buf)));
	assert_string_equal(buf, "r5");
	p = (struct xs_permissions){.id = 0, .perms = XS_PERM_NONE};
	assert_true(perm_to_text(&p, buf, sizeof(buf)));
	assert_string_equal(buf, "n0");
	p = (struct xs_permissions){.id = 65535, .perms = XS_PERM_WRITE};
	assert_true(perm_to_text(&p, buf, sizeof(buf)));
	assert_string_equal(buf, "w65535");
	p = (struct xs_permissions){.id = 1, .perms = 3};
	assert_true(perm_to_text(&p, buf, sizeof(buf)));
	assert_string_equal(buf, "b1");
	p.perms = XS_PERM_OWNER;
	assert_false(perm_to_text(&p, buf, sizeof(buf)));
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		unit_case(test_escape_printable),
		unit_case(test_escape_special),
		unit_case(test_escape_reuses_buffer),
		unit_case(test_unescape),
		unit_case(test_perm_to_text),
	};

	return cmocka_run_group_tests_name("tools_escape", tests, NULL, NULL);
}
