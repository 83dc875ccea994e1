/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of src/common/codec.c: the header length check, splitting a
 * payload into its NUL-terminated fields, and the protocol's decimal
 * numbers.  Payloads are copied into heap blocks of exactly their length so
 * that a read past the end shows up under SANITIZE=address.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>


#include "common/codec.h"
#include "unit.h"

/* An exact-size heap copy of len bytes. */
static char *dup_exact(const char *bytes, size_t len)
{
	char *p = unit_alloc(len);

	if (len)
		memcpy(p, bytes, len);
	return p;
}

/* ---- xs_hdr_check ---- */

static int hdr_check_len(uint32_t len)
{
	struct xs_msg_hdr hdr;

	xs_hdr_init(&hdr, XS_READ, 1, 0, len);
	return xs_hdr_check(&hdr);
}

static void test_hdr_check_within_limit(void **state)
{
	assert_int_equal(hdr_check_len(0), 0);
	assert_int_equal(hdr_check_len(1), 0);
	assert_int_equal(hdr_check_len(4095), 0);
	assert_int_equal(hdr_check_len(4096), 0);
	assert_int_equal(hdr_check_len(XS_PAYLOAD_MAX), 0);
}

static void test_hdr_check_too_long(void **state)
{
	assert_int_equal(hdr_check_len(4097), -E2BIG);
	assert_int_equal(hdr_check_len(65536), -E2BIG);
	assert_int_equal(hdr_check_len(0x7fffffffu), -E2BIG);
	assert_int_equal(hdr_check_len(0x80000000u), -E2BIG);
	assert_int_equal(hdr_check_len(0xffffffffu), -E2BIG);
}

static void test_hdr_check_ignores_other_fields(void **state)
{
	struct xs_msg_hdr hdr;

	/* Type, request and transaction ids are the dispatcher's business. */
	xs_hdr_init(&hdr, 0xffffffffu, 0xffffffffu, 0xffffffffu, 4096);
	assert_int_equal(xs_hdr_check(&hdr), 0);
	xs_hdr_init(&hdr, XS_INVALID, 0, 0, 4097);
	assert_int_equal(xs_hdr_check(&hdr), -E2BIG);
}

static void test_hdr_init(void **state)
{
	struct xs_msg_hdr hdr;

	memset(&hdr, 0xa5, sizeof(hdr));
	xs_hdr_init(&hdr, XS_WATCH_EVENT, 7, 9, 123);
	assert_int_equal(hdr.type, XS_WATCH_EVENT);
	assert_int_equal(hdr.req_id, 7);
	assert_int_equal(hdr.tx_id, 9);
	assert_int_equal(hdr.len, 123);
}

/* ---- xs_split_args ---- */

#define ARGV_SLOTS 8

struct split {
	char *buf;			/* exact-size copy of the payload */
	const char *argv[ARGV_SLOTS];	/* sentinel-filled before the call */
	unsigned int argc;		/* poisoned before the call */
	int ret;
};

static const char sentinel[] = "untouched";

static void split_run(struct split *s, const char *bytes, size_t len,
		      unsigned int max)
{
	assert_true(max <= ARGV_SLOTS);
	s->buf = dup_exact(bytes, len);
	for (size_t i = 0; i < ARGV_SLOTS; i++)
		s->argv[i] = sentinel;
	s->argc = 12345;
	s->ret = xs_split_args(s->buf, len, s->argv, max, &s->argc);
}

static void split_done(struct split *s)
{
	unit_free(s->buf);
	s->buf = NULL;
}

static void test_split_empty_payload(void **state)
{
	struct split s;

	split_run(&s, "", 0, ARGV_SLOTS);
	assert_int_equal(s.ret, 0);
	assert_int_equal(s.argc, 0);
	assert_ptr_equal(s.argv[0], sentinel);
	split_done(&s);

	/* Zero fields even when no field is allowed. */
	split_run(&s, "", 0, 0);
	assert_int_equal(s.ret, 0);
	assert_int_equal(s.argc, 0);
	split_done(&s);
}

static void test_split_one_arg(void **state)
{
	struct split s;

	split_run(&s, "/local/domain/0\0", 16, ARGV_SLOTS);
	assert_int_equal(s.ret, 0);
	assert_int_equal(s.argc, 1);
	assert_ptr_equal(s.argv[0], s.buf);
	assert_string_equal(s.argv[0], "/local/domain/0");
	assert_ptr_equal(s.argv[1], sentinel);
	split_done(&s);
}

static void test_split_single_nul(void **state)
{
	struct split s;

	/* TRANSACTION_START and RESET_WATCHES send "|": one empty field. */
	split_run(&s, "\0", 1, ARGV_SLOTS);
	assert_int_equal(s.ret, 0);
	assert_int_equal(s.argc, 1);
	assert_ptr_equal(s.argv[0], s.buf);
	assert_string_equal(s.argv[0], "");
	split_done(&s);
}

static void test_split_several(void **state)
{
	struct split s;

	split_run(&s, "a\0bc\0def\0", 9, ARGV_SLOTS);
	assert_int_equal(s.ret, 0);
	assert_int_equal(s.argc, 3);
	assert_ptr_equal(s.argv[0], s.buf);
	assert_ptr_equal(s.argv[1], s.buf + 2);
	assert_ptr_equal(s.argv[2], s.buf + 5);
	assert_string_equal(s.argv[0], "a");
	assert_string_equal(s.argv[1], "bc");
	assert_string_equal(s.argv[2], "def");
	assert_ptr_equal(s.argv[3], sentinel);
	split_done(&s);
}

static void test_split_embedded_empty(void **state)
{
	struct split s;

	split_run(&s, "a\0\0b\0", 5, ARGV_SLOTS);
	assert_int_equal(s.ret, 0);
	assert_int_equal(s.argc, 3);
	assert_ptr_equal(s.argv[0], s.buf);
	assert_ptr_equal(s.argv[1], s.buf + 2);
	assert_ptr_equal(s.argv[2], s.buf + 3);
	assert_string_equal(s.argv[0], "a");
	assert_string_equal(s.argv[1], "");
	assert_string_equal(s.argv[2], "b");
	split_done(&s);

	/* Only empty fields. */
	split_run(&s, "\0\0\0", 3, ARGV_SLOTS);
	assert_int_equal(s.ret, 0);
	assert_int_equal(s.argc, 3);
	assert_ptr_equal(s.argv[0], s.buf);
	assert_ptr_equal(s.argv[1], s.buf + 1);
	assert_ptr_equal(s.argv[2], s.buf + 2);
	split_done(&s);
}

static void test_split_missing_final_nul(void **state)
{
	struct split s;

	split_run(&s, "abc", 3, ARGV_SLOTS);
	assert_int_equal(s.ret, -EINVAL);
	assert_int_equal(s.argc, 0);
	split_done(&s);

	/* A WRITE payload "path|value" is not a list of fields. */
	split_run(&s, "/a\0value", 8, ARGV_SLOTS);
	assert_int_equal(s.ret, -EINVAL);
	assert_int_equal(s.argc, 0);
	split_done(&s);

	split_run(&s, "x", 1, ARGV_SLOTS);
	assert_int_equal(s.ret, -EINVAL);
	assert_int_equal(s.argc, 0);
	split_done(&s);
}

static void test_split_more_than_max(void **state)
{
	struct split s;

	split_run(&s, "a\0b\0c\0", 6, 2);
	assert_int_equal(s.ret, -EINVAL);
	assert_int_equal(s.argc, 0);
	/* Nothing stored beyond the max slots the caller gave. */
	assert_ptr_equal(s.argv[2], sentinel);
	split_done(&s);

	split_run(&s, "a\0", 2, 0);
	assert_int_equal(s.ret, -EINVAL);
	assert_int_equal(s.argc, 0);
	assert_ptr_equal(s.argv[0], sentinel);
	split_done(&s);

	split_run(&s, "\0\0", 2, 1);
	assert_int_equal(s.ret, -EINVAL);
	assert_int_equal(s.argc, 0);
	split_done(&s);
}

static void test_split_exactly_max(void **state)
{
	struct split s;

	split_run(&s, "a\0b\0c\0", 6, 3);
	assert_int_equal(s.ret, 0);
	assert_int_equal(s.argc, 3);
	assert_string_equal(s.argv[2], "c");
	assert_ptr_equal(s.argv[3], sentinel);
	split_done(&s);
}

static void test_split_full_payload(void **state)
{
	/* A maximal payload of 2048 one-byte fields "x|x|...". */
	static const char *argv[XS_PAYLOAD_MAX / 2];
	char *buf = unit_alloc(XS_PAYLOAD_MAX);
	unsigned int argc = 0;

	for (size_t i = 0; i < XS_PAYLOAD_MAX; i += 2) {
		buf[i] = 'x';
		buf[i + 1] = '\0';
	}
	assert_int_equal(xs_split_args(buf, XS_PAYLOAD_MAX, argv,
				       XS_PAYLOAD_MAX / 2, &argc),
			 0);
	assert_int_equal(argc, XS_PAYLOAD_MAX / 2);
	assert_ptr_equal(argv[0], buf);
	assert_ptr_equal(argv[XS_PAYLOAD_MAX / 2 - 1], buf + XS_PAYLOAD_MAX - 2);

	assert_int_equal(xs_split_args(buf, XS_PAYLOAD_MAX, argv,
				       XS_PAYLOAD_MAX / 2 - 1, &argc),
			 -EINVAL);
	assert_int_equal(argc, 0);
	unit_free(buf);
}

/* ---- xs_parse_uint ---- */

#define POISON UINT64_C(0xdeadbeefcafef00d)

/* xs_parse_uint with *out poisoned first, to see when it is written. */
static int parse(const char *text, uint64_t max, uint64_t *out)
{
	*out = POISON;
	return xs_parse_uint(text, max, out);
}

static void test_parse_valid(void **state)
{
	uint64_t v;

	assert_int_equal(parse("0", 100, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(parse("42", 100, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(parse("7", 7, &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(parse("10", 65535, &v), 0);
	assert_int_equal(v, 10);
	assert_int_equal(parse("4294967295", UINT32_MAX, &v), 0);
	assert_int_equal(v, UINT32_MAX);
}

static void test_parse_leading_zero(void **state)
{
	uint64_t v;

	assert_int_equal(parse("007", 100, &v), -EINVAL);
	assert_int_equal(v, POISON);
	assert_int_equal(parse("00", 100, &v), -EINVAL);
	assert_int_equal(v, POISON);
	assert_int_equal(parse("01", 100, &v), -EINVAL);
	assert_int_equal(v, POISON);
}

static void test_parse_not_a_number(void **state)
{
	static const char *const bad[] = {
		"", "-1", "-0", "+1", "abc", " 1", "1 ", "1\n", "\t1",
		"12a", "1.0", "0x10", "1e3", "\xef\xbc\x91" /* fullwidth 1 */,
	};
	uint64_t v;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(bad[i], UINT64_MAX, &v), -EINVAL);
		assert_int_equal(v, POISON);
	}
}

static void test_parse_max(void **state)
{
	uint64_t v;

	/* Exactly max is accepted, one above is not. */
	assert_int_equal(parse("100", 100, &v), 0);
	assert_int_equal(v, 100);
	assert_int_equal(parse("101", 100, &v), -EINVAL);
	assert_int_equal(v, POISON);
	assert_int_equal(parse("1000", 100, &v), -EINVAL);
	assert_int_equal(parse("109", 100, &v), -EINVAL);
	assert_int_equal(parse("65535", 65535, &v), 0);
	assert_int_equal(v, 65535);
	assert_int_equal(parse("65536", 65535, &v), -EINVAL);
	assert_int_equal(parse("4294967296", UINT32_MAX, &v), -EINVAL);

	/* max of 0 admits only "0". */
	assert_int_equal(parse("0", 0, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(parse("1", 0, &v), -EINVAL);
	assert_int_equal(parse("9", 0, &v), -EINVAL);

	/* A one-digit max below some digits. */
	assert_int_equal(parse("5", 5, &v), 0);
	assert_int_equal(parse("6", 5, &v), -EINVAL);
}

static void test_parse_uint64_limits(void **state)
{
	uint64_t v;

	assert_int_equal(parse("18446744073709551615", UINT64_MAX, &v), 0);
	assert_true(v == UINT64_MAX);
	/* One above, and values that would wrap a 64-bit accumulator. */
	assert_int_equal(parse("18446744073709551616", UINT64_MAX, &v),
			 -EINVAL);
	assert_int_equal(v, POISON);
	assert_int_equal(parse("18446744073709551620", UINT64_MAX, &v),
			 -EINVAL);
	assert_int_equal(parse("36893488147419103232", UINT64_MAX, &v),
			 -EINVAL);
	assert_int_equal(parse("99999999999999999999999999", UINT64_MAX, &v),
			 -EINVAL);
	assert_int_equal(v, POISON);
	assert_int_equal(parse("18446744073709551614", UINT64_MAX - 1, &v), 0);
	assert_true(v == UINT64_MAX - 1);
	assert_int_equal(parse("18446744073709551615", UINT64_MAX - 1, &v),
			 -EINVAL);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		unit_case(test_hdr_check_within_limit),
		unit_case(test_hdr_check_too_long),
		unit_case(test_hdr_check_ignores_other_fields),
		unit_case(test_hdr_init),
		unit_case(test_split_empty_payload),
		unit_case(test_split_one_arg),
		unit_case(test_split_single_nul),
		unit_case(test_split_several),
		unit_case(test_split_embedded_empty),
		unit_case(test_split_missing_final_nul),
		unit_case(test_split_more_than_max),
		unit_case(test_split_exactly_max),
		unit_case(test_split_full_payload),
		unit_case(test_parse_valid),
		unit_case(test_parse_leading_zero),
		unit_case(test_parse_not_a_number),
		unit_case(test_parse_max),
		unit_case(test_parse_uint64_limits),
	};

	return cmocka_run_group_tests_name("codec", tests, NULL, NULL);
}
