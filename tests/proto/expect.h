/* SPDX-License-Identifier: MIT */
/* Assertion helpers shared by the raw-protocol tests (cmocka). */
#ifndef XS_TESTS_EXPECT_H
#define XS_TESTS_EXPECT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

#define EXPECT_ERR(m, name)                               \
	do {                                              \
		assert_int_equal((m).hdr.type, XS_ERROR); \
		assert_string_equal((m).payload, (name)); \
	} while (0)
#define EXPECT_OK(m, t)                                    \
	do {                                               \
		assert_int_equal((m).hdr.type, (t));       \
		assert_int_equal((m).hdr.len, 3);          \
		assert_memory_equal((m).payload, "OK", 3); \
	} while (0)
#define EXPECT_BYTES(m, t, lit)                                         \
	do {                                                            \
		assert_int_equal((m).hdr.type, (t));                    \
		assert_int_equal((m).hdr.len, sizeof(lit) - 1);         \
		assert_memory_equal((m).payload, lit, sizeof(lit) - 1); \
	} while (0)

#endif
