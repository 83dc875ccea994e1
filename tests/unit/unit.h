/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the unit tests (tests/unit/test_*.c): cmocka's header
 * with the system headers it needs before it, and heap blocks of an exact
 * size, so that a read or write past the end shows under
 * SANITIZE=address.  Every block is recorded and freed by unit_teardown(),
 * which cmocka runs after each test declared with unit_case() even when an
 * assertion failed and jumped out of the test, so a failing test does not
 * add LeakSanitizer reports to its own.  Header-only: each test program
 * gets its own copy of the (single-threaded) block list.
 */
#ifndef XS_TESTS_UNIT_H
#define XS_TESTS_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

/* Most blocks a single test may hold at once. */
#define UNIT_BLOCKS_MAX 32

static void *unit_blocks[UNIT_BLOCKS_MAX];

/* size bytes of uninitialised heap (one byte when size is 0). */
static inline void *unit_alloc(size_t size)
{
	for (size_t i = 0; i < UNIT_BLOCKS_MAX; i++) {
		if (unit_blocks[i] == NULL) {
			unit_blocks[i] = malloc(size ? size : 1);
			assert_non_null(unit_blocks[i]);
			return unit_blocks[i];
		}
	}
	fail_msg("more than %d blocks held by one test", UNIT_BLOCKS_MAX);
	return NULL;
}

/* Free a block from unit_alloc() before the test ends. */
static inline void unit_free(void *p)
{
	for (size_t i = 0; i < UNIT_BLOCKS_MAX; i++) {
		if (p != NULL && unit_blocks[i] == p) {
			free(p);
			unit_blocks[i] = NULL;
			return;
		}
	}
	fail_msg("unit_free of a block unit_alloc did not return");
}

/* cmocka teardown: free whatever the test still holds. */
static inline int unit_teardown(void **state)
{
	(void)state;
	for (size_t i = 0; i < UNIT_BLOCKS_MAX; i++) {
		free(unit_blocks[i]);
		unit_blocks[i] = NULL;
	}
	return 0;
}

#define unit_case(f) cmocka_unit_test_teardown(f, unit_teardown)

#endif
