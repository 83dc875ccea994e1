/* SPDX-License-Identifier: MIT */
/*
 * Watch semantics against a real daemon: the first event, what fires for
 * writes, removals (of children and of ancestors), permission changes,
 * depth, relative paths, duplicates, RESET_WATCHES, transactions firing on
 * commit only, and events withheld from watchers that may not read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "expect.h"
#include "proto.h"

static struct daemon_proc dp;
static int w, c; /* watcher, changer */

static int setup(void **state)
{
	if (daemon_start(&dp, NULL) != 0)
		return -1;
	w = xconn(&dp);
	c = xconn(&dp);
	return w < 0 || c < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	close(w);
	close(c);
	return daemon_stop(&dp) == 0 ? 0 : -1;
}

/* Each test starts with no watches and an empty /t. */
static int fresh(void **state)
{
	struct xmsg m;

	XREQ(w, XS_RESET_WATCHES, 0, "", &m);
	forget_events(w);
	XREQ(c, XS_RM, 0, "/t\0", &m);
	XREQ(c, XS_MKDIR, 0, "/t\0", &m);
	return 0;
}

static void test_first_event_after_reply(void **state)
{
	struct xmsg m;

	assert_int_equal(xsend(w, XS_WATCH, 9, 0, "/t/a\0tok\0", 9), 0);
	assert_int_equal(xrecv(w, &m, 5000), 1);
	EXPECT_OK(m, XS_WATCH);
	assert_int_equal(m.hdr.req_id, 9);
	assert_int_equal(xrecv(w, &m, 5000), 1);
	EXPECT_BYTES(m, XS_WATCH_EVENT, "/t/a\0tok\0");
	assert_int_equal(m.hdr.req_id, 0);
	assert_int_equal(m.hdr.tx_id, 0);
}

static void test_writes_and_removals(void **state)
{
	struct events ev;
	struct xmsg m;

	XREQ(w, XS_WATCH, 0, "/t/a\0A\0", &m);
	XREQ(w, XS_WATCH, 0, "/t/a/b/c\0C\0", &m);
	collect_events(w, &ev);
	assert_string_equal(ev.text, "/t/a A|/t/a/b/c C|");

	XREQ(c, XS_WRITE, 0, "/t/a/b/c\0v", &m);
	collect_events(w, &ev);
	assert_string_equal(ev.text, "/t/a/b/c A|/t/a/b/c C|");
	/* Unrelated and sibling-prefix paths do not fire. */
	XREQ(c, XS_WRITE, 0, "/t/ab\0v", &m);
	XREQ(c, XS_WRITE, 0, "/t/x\0v", &m);
	collect_events(w, &ev);
	assert_string_equal(ev.text, "");
	/* A watch on /t/a sees rm /t/a/b/c. */
	XREQ(c, XS_RM, 0, "/t/a/b/c\0", &m);
	collect_events(w, &ev);
	assert_string_equal(ev.text, "/t/a/b/c A|/t/a/b/c C|");
	/* A watch on /t/a/b/c sees rm /t/a as its own path, once. */
	XREQ(c, XS_WRITE, 0, "/t/a/b/c\0v", &m);
	collect_events(w, &ev);
	XREQ(c, XS_RM, 0, "/t/a\0", &m);
	collect_events(w, &ev);
	assert_string_equal(ev.text, "/t/a A|/t/a/b/c C|");
	/* MKDIR of an existing node changes nothing and fires nothing. */
	XREQ(c, XS_MKDIR, 0, "/t/a\0", &m);
	collect_events(w, &ev);
	assert_string_equal(ev.text, "/t/a A|");
	XREQ(c, XS_MKDIR, 0, "/t/a\0", &m);
	collect_events(w, &ev);
	assert_string_equal(ev.text, "");
	/* Permission changes fire. */
	XREQ(c, XS_SET_PERMS, 0, "/t/a\0n0\0r3\0", &m);
	collect_events(w, &ev);
	assert_string_equal(ev.text, "/t/a A|");
}

static void test_depth(void **state)
{
	struct events ev;
	struct xmsg m;

	XREQ(w, XS_WATCH, 0, "/t/d\0D0\0000\0", &m);
	XREQ(w, XS_WATCH, 0, "/t/d\0D1\0001\0", &m);
	XREQ(w, XS_WATCH, 0, "/t/d\0D2\0002\0", &m);
	XREQ(w, XS_WATCH, 0, "/t/d\0DA\0", &m);
	collect_events(w, &ev);
	assert_int_equal(ev.count, 4);
	XREQ(c, XS_WRITE, 0, "/t/d\0v", &m);
	collect_events(w, &ev);
	assert_int_equal(ev.count, 4);
	XREQ(c, XS_WRITE, 0, "/t/d/x\0v", &m);
	collect_events(w, &ev);
	assert_string_equal(strstr(ev.text, "D0") ? "D0" : "", "");
	assert_int_equal(ev.count, 3);
	XREQ(c, XS_WRITE, 0, "/t/d/x/y\0v", &m);
	collect_events(w, &ev);
	assert_int_equal(ev.count, 2);
	assert_non_null(strstr(ev.text, "/t/d/x/y D2|"));
	assert_non_null(strstr(ev.text, "/t/d/x/y DA|"));
	XREQ(c, XS_WRITE, 0, "/t/d/x/y/z\0v", &m);
	collect_events(w, &ev);
	assert_string_equal(ev.text, "/t/d/x/y/z DA|");
	/* Bad depth arguments. */
	static const char *const bad[] = {"-1", "abc", "99999999999", "", "01"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char buf[64];
		int n = snprintf(buf, sizeof(buf), "/t/d%cbad%zu%c%s", 0, i, 0, bad[i]);
		assert_int_equal(xreq(w, XS_WATCH, 0, buf, (size_t)n + 1, &m), 0);
		EXPECT_ERR(m, "EINVAL");
	}
}

static void test_relative_and_duplicates(void **state)
{
	struct events ev;
	struct xmsg m;

	assert_int_equal(XREQ(w, XS_WATCH, 0, "rel\0R\0", &m), 0);
	EXPECT_OK(m, XS_WATCH);
	collect_events(w, &ev);
	assert_string_equal(ev.text, "rel R|");
	XREQ(c, XS_WRITE, 0, "/local/domain/0/rel/x\0v", &m);
	collect_events(w, &ev);
	assert_string_equal(ev.text, "rel/x R|");
	/* Duplicate (path, token): EEXIST; same path, other token: fine. */
	assert_int_equal(XREQ(w, XS_WATCH, 0, "rel\0R\0", &m), 0);
	EXPECT_ERR(m, "EEXIST");
	assert_int_equal(XREQ(w, XS_WATCH, 0, "rel\0S\0", &m), 0);
	EXPECT_OK(m, XS_WATCH);
	collect_events(w, &ev);
	assert_int_equal(XREQ(w, XS_UNWATCH, 0, "rel\0nope\0", &m), 0);
	EXPECT_ERR(m, "ENOENT");
	assert_int_equal(XREQ(w, XS_UNWATCH, 0, "rel\0R\0", &m), 0);
	EXPECT_OK(m, XS_UNWATCH);
	XREQ(c, XS_WRITE, 0, "/local/domain/0/rel/y\0v", &m);
	collect_events(w, &ev);
	assert_string_equal(ev.text, "rel/y S|");
	/* The tx_id of WATCH is ignored, even an unknown one. */
	assert_int_equal(XREQ(w, XS_WATCH, 4711, "/t/txw\0T\0", &m), 0);
	EXPECT_OK(m, XS_WATCH);
	assert_int_equal(m.hdr.tx_id, 4711);
	XREQ(c, XS_RM, 0, "/local\0", &m);
}

static void test_special_watches(void **state)
{
	struct xmsg m;
	struct events ev;

	assert_int_equal(XREQ(w, XS_WATCH, 0, "@releaseDomain\0r\0", &m), 0);
	EXPECT_OK(m, XS_WATCH);
	assert_int_equal(XREQ(w, XS_WATCH, 0, "@releaseDomain\0r1\0001\0", &m), 0);
	EXPECT_OK(m, XS_WATCH);
	assert_int_equal(XREQ(w, XS_WATCH, 0, "@releaseDomain/5\0r5\0", &m), 0);
	EXPECT_OK(m, XS_WATCH);
	assert_int_equal(XREQ(w, XS_WATCH, 0, "@introduceDomain\0i\0", &m), 0);
	EXPECT_OK(m, XS_WATCH);
	assert_int_equal(XREQ(w, XS_WATCH, 0, "@releaseDomain\0r2\0002\0", &m), 0);
	EXPECT_ERR(m, "EINVAL");
	assert_int_equal(XREQ(w, XS_WATCH, 0, "@releaseDomain\0r0\0000\0", &m), 0);
	EXPECT_ERR(m, "EINVAL");
	collect_events(w, &ev);
	assert_string_equal(ev.text, "@releaseDomain r|@releaseDomain r1|"
				     "@releaseDomain/5 r5|@introduceDomain i|");
	/* Node changes never reach special watches. */
	XREQ(c, XS_WRITE, 0, "/t/s\0v", &m);
	collect_events(w, &ev);
	assert_string_equal(ev.text, "");
}

static void test_reset_watches(void **state)
{
	struct events ev;
	struct xmsg m;

	XREQ(w, XS_WATCH, 0, "/t\0X\0", &m);
	collect_events(w, &ev);
	assert_int_equal(XREQ(w, XS_TRANSACTION_START, 0, "\0", &m), 0);
	uint32_t tx = (uint32_t)strtoul(m.payload, NULL, 10);
	/* Sent inside the transaction: both go, nothing breaks (XSA-484). */
	assert_int_equal(XREQ(w, XS_RESET_WATCHES, tx, "\0", &m), 0);
	EXPECT_OK(m, XS_RESET_WATCHES);
	assert_int_equal(XREQ(w, XS_READ, tx, "/t\0", &m), 0);
	EXPECT_ERR(m, "ENOENT");
	XREQ(c, XS_WRITE, 0, "/t/after\0v", &m);
	collect_events(w, &ev);
	assert_string_equal(ev.text, "");
}

static void test_transaction_events(void **state)
{
	struct events ev;
	struct xmsg m;

	XREQ(w, XS_WATCH, 0, "/t\0X\0", &m);
	collect_events(w, &ev);
	assert_int_equal(XREQ(c, XS_TRANSACTION_START, 0, "\0", &m), 0);
	uint32_t tx = (uint32_t)strtoul(m.payload, NULL, 10);
	XREQ(c, XS_WRITE, tx, "/t/p\0one", &m);
	XREQ(c, XS_WRITE, tx, "/t/p\0two", &m);
	XREQ(c, XS_WRITE, tx, "/t/q\0v", &m);
	XREQ(c, XS_RM, tx, "/t/q\0", &m);
	XREQ(c, XS_WRITE, tx, "/t/r\0v", &m);
	/* Nothing before commit. */
	collect_events(w, &ev);
	assert_string_equal(ev.text, "");
	assert_int_equal(XREQ(w, XS_READ, 0, "/t/p\0", &m), 0);
	EXPECT_ERR(m, "ENOENT");
	assert_int_equal(XREQ(c, XS_TRANSACTION_END, tx, "T\0", &m), 0);
	EXPECT_OK(m, XS_TRANSACTION_END);
	/* Once per changed node, in commit order. */
	collect_events(w, &ev);
	assert_string_equal(ev.text, "/t/p X|/t/q X|/t/r X|");
	/* An aborted transaction fires nothing. */
	assert_int_equal(XREQ(c, XS_TRANSACTION_START, 0, "\0", &m), 0);
	tx = (uint32_t)strtoul(m.payload, NULL, 10);
	XREQ(c, XS_WRITE, tx, "/t/p\0three", &m);
	assert_int_equal(XREQ(c, XS_TRANSACTION_END, tx, "F\0", &m), 0);
	EXPECT_OK(m, XS_TRANSACTION_END);
	collect_events(w, &ev);
	assert_string_equal(ev.text, "");
	assert_int_equal(XREQ(w, XS_READ, 0, "/t/p\0", &m), 0);
	EXPECT_BYTES(m, XS_READ, "two");
}

static void test_events_need_read_access(void **state)
{
	struct events ev;
	struct xmsg m;
	int g = xconn_as(&dp, 7);

	assert_true(g >= 0);
	XREQ(c, XS_WRITE, 0, "/t/open\0v", &m);
	XREQ(c, XS_SET_PERMS, 0, "/t/open\0n0\0r7\0", &m);
	assert_int_equal(XREQ(g, XS_WATCH, 0, "/\0G\0", &m), 0);
	EXPECT_OK(m, XS_WATCH);
	collect_events(g, &ev);
	assert_string_equal(ev.text, "/ G|");
	/* dom0's private node: no event; readable node: event. */
	XREQ(c, XS_WRITE, 0, "/t/private\0secret", &m);
	XREQ(c, XS_WRITE, 0, "/t/open\0w", &m);
	collect_events(g, &ev);
	assert_string_equal(ev.text, "/t/open G|");
	/* Removal of a readable node is heard. */
	XREQ(c, XS_RM, 0, "/t/open\0", &m);
	collect_events(g, &ev);
	assert_string_equal(ev.text, "/t/open G|");
	forget_events(g);
	close(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_first_event_after_reply, fresh),
		cmocka_unit_test_setup(test_writes_and_removals, fresh),
		cmocka_unit_test_setup(test_depth, fresh),
		cmocka_unit_test_setup(test_relative_and_duplicates, fresh),
		cmocka_unit_test_setup(test_special_watches, fresh),
		cmocka_unit_test_setup(test_reset_watches, fresh),
		cmocka_unit_test_setup(test_transaction_events, fresh),
		cmocka_unit_test_setup(test_events_need_read_access, fresh),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
