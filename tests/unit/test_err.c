/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of src/common/xs_err.c: every error name of the protocol maps
 * to the errno of the same name and back; an errno that has no wire name
 * is sent as "EIO"; a name we do not know reads back as EINVAL.  The list
 * is also checked against the one written out in SPEC.md, so an edit to
 * XS_ERRORS in wire.h cannot go unnoticed.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>


#include "common/xs_err.h"
#include "unit.h"
#include "xenstore/wire.h"

struct err_case {
	int err;
	const char *name;
};

#define ERR_CASE(e) {e, #e},
static const struct err_case wire_errors[] = {XS_ERRORS(ERR_CASE)};
#undef ERR_CASE
#define N_WIRE_ERRORS (sizeof(wire_errors) / sizeof(wire_errors[0]))

static void test_list_matches_spec(void **state)
{
	/* SPEC.md "Messages", in io/xs_wire.h's order. */
	static const char *const spec[] = {
		"EINVAL", "EACCES", "EEXIST", "EISDIR",	  "ENOENT", "ENOMEM",
		"ENOSPC", "EIO",    "ENOTEMPTY", "ENOSYS", "EROFS", "EBUSY",
		"EAGAIN", "EISCONN", "E2BIG",	  "EPERM",
	};

	const size_t n_spec = sizeof(spec) / sizeof(spec[0]);

	assert_int_equal(N_WIRE_ERRORS, n_spec);
	for (size_t i = 0; i < N_WIRE_ERRORS && i < n_spec; i++)
		assert_string_equal(wire_errors[i].name, spec[i]);
}

static void test_round_trip(void **state)
{
	for (size_t i = 0; i < N_WIRE_ERRORS; i++) {
		const struct err_case *c = &wire_errors[i];

		assert_string_equal(xs_err_name(c->err), c->name);
		assert_int_equal(xs_err_from_name(c->name), c->err);
		assert_int_equal(xs_err_from_name(xs_err_name(c->err)),
				 c->err);
	}
}

static void test_known_values(void **state)
{
	assert_string_equal(xs_err_name(EINVAL), "EINVAL");
	assert_string_equal(xs_err_name(ENOENT), "ENOENT");
	assert_string_equal(xs_err_name(EAGAIN), "EAGAIN");
	assert_string_equal(xs_err_name(E2BIG), "E2BIG");
	assert_string_equal(xs_err_name(EPERM), "EPERM");
	assert_int_equal(xs_err_from_name("EACCES"), EACCES);
	assert_int_equal(xs_err_from_name("ENOSPC"), ENOSPC);
	assert_int_equal(xs_err_from_name("EIO"), EIO);
}

static void test_distinct(void **state)
{
	for (size_t i = 0; i < N_WIRE_ERRORS; i++)
		for (size_t j = i + 1; j < N_WIRE_ERRORS; j++) {
			assert_int_not_equal(wire_errors[i].err,
					     wire_errors[j].err);
			assert_string_not_equal(wire_errors[i].name,
						wire_errors[j].name);
		}
}

static void test_unknown_errno(void **state)
{
	static const int unknown[] = {
		0,	  -1,	   -EINVAL, -ENOENT, EDOM,   ENOTDIR, ERANGE,
		EBADF,	  ETIMEDOUT, ENOTSUP, 9999,   INT_MAX, INT_MIN,
	};

	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
		assert_string_equal(xs_err_name(unknown[i]), "EIO");
}

static void test_unknown_name(void **state)
{
	static const char *const unknown[] = {
		"",	  "EFOO", "einval", "EInval", "EINVAL ", " EINVAL",
		"EINVA", "EINVALX", "OK", "EDOM", "ENOTDIR", "E",
	};

	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
		assert_int_equal(xs_err_from_name(unknown[i]), EINVAL);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		unit_case(test_list_matches_spec),
		unit_case(test_round_trip),
		unit_case(test_known_values),
		unit_case(test_distinct),
		unit_case(test_unknown_errno),
		unit_case(test_unknown_name),
	};

	return cmocka_run_group_tests_name("xs_err", tests, NULL, NULL);
}
