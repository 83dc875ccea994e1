/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of src/daemon/json.c and src/daemon/stats.c: the JSON writer
 * puts commas and keys where they belong, escapes quotes, backslashes,
 * control characters and bytes past 0x7e, stops cleanly when the buffer
 * runs out and can rewind to a mark; the counters count requests per type
 * and errors per wire name; with 1000 domains, "stats domains" pages each
 * fit one message and together list every domain exactly once, in order,
 * and "stats connections" pages the same way.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/conn.h"
#include "daemon/daemon.h"
#include "daemon/json.h"
#include "daemon/stats.h"
#include "unit.h"

static void test_json_layout(void **state)
{
	char buf[256];
	struct json j;

	(void)state;
	json_init(&j, buf, sizeof(buf));
	json_object_begin(&j, NULL);
	json_uint(&j, "a", 1);
	json_array_begin(&j, "b");
	json_uint(&j, NULL, 2);
	json_uint(&j, NULL, 18446744073709551615ull);
	json_object_begin(&j, NULL);
	json_object_end(&j);
	json_array_end(&j);
	json_bool(&j, "c", true);
	json_bool(&j, "d", false);
	json_null(&j, "e");
	json_string(&j, "f", "x");
	json_object_end(&j);
	assert_false(json_overflowed(&j));
	assert_string_equal(buf, "{\"a\":1,\"b\":[2,18446744073709551615,{}],"
				 "\"c\":true,\"d\":false,\"e\":null,\"f\":\"x\"}");
}

static void test_json_escape(void **state)
{
	char buf[256];
	struct json j;

	(void)state;
	json_init(&j, buf, sizeof(buf));
	json_string(&j, NULL, "q\"b\\n\nt\tc\x01" "d\x7f" "e\xc3\xa9");
	assert_string_equal(buf, "\"q\\\"b\\\\n\\nt\\tc\\u0001d\\u007fe\\u00c3\\u00a9\"");
	json_init(&j, buf, sizeof(buf));
	json_object_begin(&j, NULL);
	json_uint(&j, "k\"", 0);
	json_object_end(&j);
	assert_string_equal(buf, "{\"k\\\"\":0}");
}

static void test_json_overflow(void **state)
{
	char buf[12];
	struct json j;

	(void)state;
	json_init(&j, buf, sizeof(buf));
	json_array_begin(&j, NULL);
	json_uint(&j, NULL, 1234);
	struct json_mark m = json_mark(&j);
	json_uint(&j, NULL, 5678);
	assert_false(json_overflowed(&j));
	json_uint(&j, NULL, 9012);
	assert_true(json_overflowed(&j));
	assert_true(strlen(buf) < sizeof(buf));
	json_rewind(&j, m);
	assert_false(json_overflowed(&j));
	json_array_end(&j);
	assert_false(json_overflowed(&j));
	assert_string_equal(buf, "[1234]");
}

static void test_counters(void **state)
{
	struct daemon_stats *s = unit_alloc(sizeof(*s));

	(void)state;
	memset(s, 0, sizeof(*s));
	stats_count_request(s, XS_READ);
	stats_count_request(s, XS_READ);
	stats_count_request(s, XS_WRITE);
	stats_count_request(s, XS_TYPE_COUNT);
	stats_count_request(s, UINT32_MAX);
	stats_count_error(s, "ENOENT");
	stats_count_error(s, "EPERM");
	stats_count_error(s, "ENOENT");
	assert_int_equal(s->requests[XS_READ], 2);
	assert_int_equal(s->requests[XS_WRITE], 1);
	assert_int_equal(s->requests_unknown, 2);
	assert_int_equal(STATS_ERR_COUNT, 16);
	assert_int_equal(s->errors[4], 2);	/* ENOENT, fifth of XS_ERRORS */
	assert_int_equal(s->errors[15], 1);	/* EPERM, the last */
}

/* The number after "key": at p, or -1. */
static long long number_after(const char *p, const char *key)
{
	const char *k = strstr(p, key);

	return k ? strtoll(k + strlen(key), NULL, 10) : -1;
}

static void test_domain_pages(void **state)
{
	static struct daemon d;
	char *buf = unit_alloc(XS_PAYLOAD_MAX);
	uint32_t next = 0, expect = 0, pages = 0;

	(void)state;
	assert_int_equal(daemon_init(&d), 0);
	for (uint32_t id = 1; id < 1000; id++) {
		struct domain *dom;
		assert_int_equal(domain_get_or_make(&d, id * 3, &dom), 0);
	}
	for (;;) {
		assert_int_equal(stats_domains(&d, next, buf, XS_PAYLOAD_MAX), 0);
		assert_true(strlen(buf) < XS_PAYLOAD_MAX);
		pages++;
		/* Every domain once, in order: 0, 3, 6, ... 2997. */
		for (const char *p = strstr(buf, "{\"domid\":"); p;
		     p = strstr(p + 1, "{\"domid\":")) {
			assert_int_equal(number_after(p, "{\"domid\":"), expect);
			expect += 3;
		}
		const char *n = strstr(buf, "\"next\":");
		assert_non_null(n);
		if (strcmp(n, "\"next\":null}") == 0)
			break;
		next = (uint32_t)number_after(n, "\"next\":");
		assert_int_equal(next, expect);
	}
	assert_int_equal(expect, 3000);
	assert_true(pages > 1);
	assert_int_equal(stats_domain(&d, 42, buf, XS_PAYLOAD_MAX), 0);
	assert_non_null(strstr(buf, "\"domid\":42,\"introduced\":false,"
				    "\"nodes\":[0,1000],"));
	assert_int_equal(stats_domain(&d, 43, buf, XS_PAYLOAD_MAX), -ENOENT);
	assert_int_equal(stats_domains(&d, 0, buf, 16), -E2BIG);
	assert_int_equal(stats_global(&d, buf, XS_PAYLOAD_MAX), 0);
	assert_non_null(strstr(buf, "\"domains\":{\"known\":1000,\"introduced\":0}"));
	daemon_release(&d);
}

static void noop_close(struct conn *c)
{
	(void)c;
}

static void noop_want(struct conn *c, bool r, bool w)
{
	(void)c, (void)r, (void)w;
}

static void test_conn_pages(void **state)
{
	static const struct conn_ops ops = {.name = "test", .want = noop_want,
					    .close = noop_close};
	static struct daemon d;
	char *buf = unit_alloc(XS_PAYLOAD_MAX);
	struct caller who = {.domid = 7};
	uint32_t next = 0, seen = 0, last = 0;

	(void)state;
	assert_int_equal(daemon_init(&d), 0);
	for (int i = 0; i < 300; i++)
		assert_non_null(conn_new(&d, &ops, NULL, &who));
	for (;;) {
		assert_int_equal(stats_conns(&d, next, buf, XS_PAYLOAD_MAX), 0);
		assert_true(strlen(buf) < XS_PAYLOAD_MAX);
		for (const char *p = strstr(buf, "{\"id\":"); p;
		     p = strstr(p + 1, "{\"id\":")) {
			uint32_t id = (uint32_t)number_after(p, "{\"id\":");
			assert_true(id > last);
			last = id;
			seen++;
			assert_non_null(strstr(p, "\"kind\":\"test\",\"domid\":7,"));
		}
		const char *n = strstr(buf, "\"next\":");
		assert_non_null(n);
		if (strcmp(n, "\"next\":null}") == 0)
			break;
		next = (uint32_t)number_after(n, "\"next\":");
		assert_int_equal(next, last + 1);
	}
	assert_int_equal(seen, 300);
	assert_int_equal(stats_domain(&d, 7, buf, XS_PAYLOAD_MAX), 0);
	assert_non_null(strstr(buf, "\"complete\":false}"));
	daemon_release(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		unit_case(test_json_layout),
		unit_case(test_json_escape),
		unit_case(test_json_overflow),
		unit_case(test_counters),
		unit_case(test_domain_pages),
		unit_case(test_conn_pages),
	};

	return cmocka_run_group_tests_name("daemon_stats", tests, NULL, NULL);
}
