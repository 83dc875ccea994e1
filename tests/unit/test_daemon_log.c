/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of src/daemon/log.c: the rate limiter (log_limit_pass) lets
 * the first line of a (domid, kind) key through, holds the ones that
 * follow within LOG_LIMIT_MS and reports how many it held with the next
 * line let through; keys are independent; a table full of keys in their
 * window holds lines without a key and reports them later; any number of
 * keys in one window lets through at most LOG_LIMIT_SLOTS lines.  Level
 * names parse; a log file receives the lines of its level and, after being
 * moved away, log_reopen() starts a new file at the same path.  Time is
 * passed in, so nothing here depends on the clock.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/log.h"
#include "unit.h"

static struct log_limiter *new_limiter(void)
{
	struct log_limiter *l = unit_alloc(sizeof(*l));

	memset(l, 0, sizeof(*l));
	return l;
}

static void test_one_key(void **state)
{
	struct log_limiter *l = new_limiter();
	uint32_t held = 99;

	(void)state;
	assert_true(log_limit_pass(l, 5, LOG_KIND_QUOTA, 1000, &held));
	assert_int_equal(held, 0);
	for (int i = 0; i < 100; i++)
		assert_false(log_limit_pass(l, 5, LOG_KIND_QUOTA,
					    1000 + LOG_LIMIT_MS - 1, &held));
	assert_true(log_limit_pass(l, 5, LOG_KIND_QUOTA, 1000 + LOG_LIMIT_MS, &held));
	assert_int_equal(held, 100);
	/* The count starts again after it was reported. */
	assert_false(log_limit_pass(l, 5, LOG_KIND_QUOTA, 1001 + LOG_LIMIT_MS, &held));
	assert_true(log_limit_pass(l, 5, LOG_KIND_QUOTA, 1000 + 2 * LOG_LIMIT_MS,
				   &held));
	assert_int_equal(held, 1);
}

static void test_keys_independent(void **state)
{
	struct log_limiter *l = new_limiter();
	uint32_t held;

	(void)state;
	assert_true(log_limit_pass(l, 5, LOG_KIND_QUOTA + 0, 0, &held));
	assert_true(log_limit_pass(l, 5, LOG_KIND_QUOTA + 1, 0, &held));
	assert_true(log_limit_pass(l, 6, LOG_KIND_QUOTA + 0, 0, &held));
	assert_true(log_limit_pass(l, 5, LOG_KIND_RING, 0, &held));
	assert_false(log_limit_pass(l, 5, LOG_KIND_QUOTA + 0, 1, &held));
	assert_false(log_limit_pass(l, 6, LOG_KIND_QUOTA + 0, 1, &held));
	assert_false(log_limit_pass(l, 5, LOG_KIND_RING, 1, &held));
	assert_true(log_limit_pass(l, 7, LOG_KIND_RING, 1, &held));
	assert_int_equal(held, 0);
}

/* Many keys in one window: at most one line per slot gets through, the
 * rest is held and reported with lines of a later window. */
static void test_bounded(void **state)
{
	struct log_limiter *l = new_limiter();
	uint32_t held, passed = 0, total_held = 0;

	(void)state;
	for (uint32_t domid = 1; domid <= 4 * LOG_LIMIT_SLOTS; domid++)
		for (unsigned int kind = 0; kind < 9; kind++)
			passed += log_limit_pass(l, domid, LOG_KIND_QUOTA + kind,
						 500, &held);
	assert_true(passed <= LOG_LIMIT_SLOTS);
	assert_true(passed > LOG_LIMIT_SLOTS / 2);
	/* A later window: lines held before are reported, never more than
	 * were held (lines held again in this window are not yet). */
	for (uint32_t domid = 1; domid <= 4 * LOG_LIMIT_SLOTS; domid++) {
		for (unsigned int kind = 0; kind < 9; kind++) {
			if (log_limit_pass(l, domid, LOG_KIND_QUOTA + kind,
					   500 + LOG_LIMIT_MS, &held))
				total_held += held;
		}
	}
	assert_true(total_held > 0);
	assert_true(total_held <= 4 * LOG_LIMIT_SLOTS * 9 - passed);
}

static void test_level_names(void **state)
{
	enum log_level lv = LOG_LVL_ERR;

	(void)state;
	assert_int_equal(log_level_parse("debug", &lv), 0);
	assert_int_equal(lv, LOG_LVL_DEBUG);
	assert_int_equal(log_level_parse("warn", &lv), 0);
	assert_int_equal(lv, LOG_LVL_WARN);
	assert_int_equal(log_level_parse("warning", &lv), 0);
	assert_int_equal(lv, LOG_LVL_WARN);
	assert_int_equal(log_level_parse("info", &lv), 0);
	assert_int_equal(lv, LOG_LVL_INFO);
	assert_int_equal(log_level_parse("error", &lv), 0);
	assert_int_equal(lv, LOG_LVL_ERR);
	assert_int_equal(log_level_parse("loud", &lv), -EINVAL);
	assert_int_equal(log_level_parse("", &lv), -EINVAL);
}

/* The whole of a small file, or "" when it does not exist. */
static char *slurp(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n = 0;

	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

static void test_file_reopen(void **state)
{
	char path[64], moved[80];

	(void)state;
	snprintf(path, sizeof(path), "/tmp/xs-log-test.%d", (int)getpid());
	snprintf(moved, sizeof(moved), "%s.1", path);
	unlink(path);
	unlink(moved);
	assert_int_equal(log_setup(LOG_TO_FILE, path, LOG_LVL_WARN), 0);
	log_msg(LOG_LVL_WARN, "first %d", 1);
	log_msg(LOG_LVL_INFO, "not at this level");
	assert_int_equal(rename(path, moved), 0);
	log_msg(LOG_LVL_ERR, "second");	/* still the moved file */
	assert_int_equal(log_reopen(), 0);
	log_msg(LOG_LVL_ERR, "third");
	log_close();

	const char *old = slurp(moved);
	assert_non_null(strstr(old, " xenstored warning: first 1\n"));
	assert_non_null(strstr(old, " xenstored error: second\n"));
	assert_null(strstr(old, "not at this level"));
	assert_null(strstr(old, "third"));
	const char *now = slurp(path);
	assert_non_null(strstr(now, " xenstored error: third\n"));
	assert_null(strstr(now, "second"));
	unlink(path);
	unlink(moved);
	assert_int_equal(log_setup(LOG_TO_FILE, "/nonexistent-dir/x", LOG_LVL_INFO),
			 -ENOENT);
	log_close();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		unit_case(test_one_key),
		unit_case(test_keys_independent),
		unit_case(test_bounded),
		unit_case(test_level_names),
		unit_case(test_file_reopen),
	};

	return cmocka_run_group_tests_name("daemon_log", tests, NULL, NULL);
}
