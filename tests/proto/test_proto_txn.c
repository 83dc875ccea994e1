/* SPDX-License-Identifier: MIT */
/*
 * Transaction semantics against a real daemon: isolation until commit,
 * node-granular conflicts (and their absence), every operation inside a
 * transaction, id rules, per-domain limits, and cleanup on close.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "expect.h"
#include "proto.h"

static struct daemon_proc dp;
static int a, b; /* two dom0 clients */

static int setup(void **state)
{
	if (daemon_start(&dp, NULL) != 0)
		return -1;
	a = xconn(&dp);
	b = xconn(&dp);
	return a < 0 || b < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	close(a);
	close(b);
	return daemon_stop(&dp) == 0 ? 0 : -1;
}

static int fresh(void **state)
{
	struct xmsg m;

	XREQ(a, XS_RM, 0, "/t\0", &m);
	XREQ(a, XS_WRITE, 0, "/t/x\0x0", &m);
	XREQ(a, XS_WRITE, 0, "/t/y\0y0", &m);
	XREQ(a, XS_WRITE, 0, "/t/z\0z0", &m);
	return 0;
}

static uint32_t start(int fd)
{
	struct xmsg m;

	assert_int_equal(XREQ(fd, XS_TRANSACTION_START, 0, "\0", &m), 0);
	assert_int_equal(m.hdr.type, XS_TRANSACTION_START);
	return (uint32_t)strtoul(m.payload, NULL, 10);
}

static void end(int fd, uint32_t tx, const char *expect)
{
	struct xmsg m;

	assert_int_equal(XREQ(fd, XS_TRANSACTION_END, tx, "T\0", &m), 0);
	if (expect)
		EXPECT_ERR(m, expect);
	else
		EXPECT_OK(m, XS_TRANSACTION_END);
}

static void test_isolation(void **state)
{
	struct xmsg m;
	uint32_t tx = start(a);

	assert_true(tx != 0);
	XREQ(a, XS_WRITE, tx, "/t/x\0x1", &m);
	EXPECT_OK(m, XS_WRITE);
	assert_int_equal(m.hdr.tx_id, tx);
	XREQ(a, XS_READ, tx, "/t/x\0", &m);
	EXPECT_BYTES(m, XS_READ, "x1");
	XREQ(b, XS_READ, 0, "/t/x\0", &m);
	EXPECT_BYTES(m, XS_READ, "x0");
	XREQ(a, XS_READ, 0, "/t/x\0", &m);
	EXPECT_BYTES(m, XS_READ, "x0");
	end(a, tx, NULL);
	XREQ(b, XS_READ, 0, "/t/x\0", &m);
	EXPECT_BYTES(m, XS_READ, "x1");
	/* The id is gone after the end. */
	XREQ(a, XS_READ, tx, "/t/x\0", &m);
	EXPECT_ERR(m, "ENOENT");
}

static void test_snapshot_reads(void **state)
{
	struct xmsg m;
	uint32_t tx = start(a);

	/* Changes committed after the start are invisible inside, even for
	 * nodes the transaction had not looked at yet. */
	XREQ(b, XS_WRITE, 0, "/t/x\0changed", &m);
	XREQ(b, XS_WRITE, 0, "/t/new\0n", &m);
	XREQ(b, XS_RM, 0, "/t/z\0", &m);
	XREQ(b, XS_SET_PERMS, 0, "/t/y\0n0\0r1\0", &m);
	XREQ(a, XS_READ, tx, "/t/x\0", &m);
	EXPECT_BYTES(m, XS_READ, "x0");
	XREQ(a, XS_READ, tx, "/t/new\0", &m);
	EXPECT_ERR(m, "ENOENT");
	XREQ(a, XS_READ, tx, "/t/z\0", &m);
	EXPECT_BYTES(m, XS_READ, "z0");
	XREQ(a, XS_GET_PERMS, tx, "/t/y\0", &m);
	EXPECT_BYTES(m, XS_GET_PERMS, "n0\0");
	XREQ(a, XS_DIRECTORY, tx, "/t\0", &m);
	EXPECT_BYTES(m, XS_DIRECTORY, "x\0y\0z\0");
	/* Repeatable: the same again after more changes. */
	XREQ(b, XS_WRITE, 0, "/t/x\0again", &m);
	XREQ(a, XS_READ, tx, "/t/x\0", &m);
	EXPECT_BYTES(m, XS_READ, "x0");
	/* It acted on a stale state, so it cannot commit. */
	end(a, tx, "EAGAIN");
	/* Outside, the new state. */
	XREQ(a, XS_READ, 0, "/t/x\0", &m);
	EXPECT_BYTES(m, XS_READ, "again");
}

static void test_read_write_conflict(void **state)
{
	struct xmsg m;
	uint32_t t1 = start(a), t2 = start(b);

	/* Both read x and write y: the second commit must fail. */
	XREQ(a, XS_READ, t1, "/t/x\0", &m);
	XREQ(b, XS_READ, t2, "/t/x\0", &m);
	XREQ(a, XS_WRITE, t1, "/t/y\0from1", &m);
	XREQ(b, XS_WRITE, t2, "/t/y\0from2", &m);
	end(a, t1, NULL);
	end(b, t2, "EAGAIN");
	XREQ(a, XS_READ, 0, "/t/y\0", &m);
	EXPECT_BYTES(m, XS_READ, "from1");
}

static void test_disjoint_commit(void **state)
{
	struct xmsg m;
	uint32_t t1 = start(a), t2 = start(b);

	XREQ(a, XS_READ, t1, "/t/x\0", &m);
	XREQ(a, XS_WRITE, t1, "/t/x\0x2", &m);
	XREQ(b, XS_READ, t2, "/t/y\0", &m);
	XREQ(b, XS_WRITE, t2, "/t/y\0y2", &m);
	/* Plain writes to an untouched node do not matter either. */
	XREQ(a, XS_WRITE, 0, "/t/z\0z2", &m);
	end(a, t1, NULL);
	end(b, t2, NULL);
	XREQ(a, XS_READ, 0, "/t/x\0", &m);
	EXPECT_BYTES(m, XS_READ, "x2");
	XREQ(a, XS_READ, 0, "/t/y\0", &m);
	EXPECT_BYTES(m, XS_READ, "y2");
}

static void test_sibling_creation_merges(void **state)
{
	struct xmsg m;
	uint32_t t1 = start(a), t2 = start(b);

	XREQ(a, XS_WRITE, t1, "/t/dir/one\0", &m);
	XREQ(b, XS_WRITE, t2, "/t/dir/two\0", &m);
	XREQ(a, XS_MKDIR, t1, "/t/kids/a\0", &m);
	end(a, t1, NULL);
	/* t2 created /t/dir too, but never looked at what else is there. */
	XREQ(b, XS_WRITE, t2, "/t/kids/b\0", &m);
	end(b, t2, "EAGAIN");
	/* Under an existing parent, different children merge. */
	t1 = start(a);
	t2 = start(b);
	XREQ(a, XS_WRITE, t1, "/t/dir/three\0", &m);
	XREQ(b, XS_WRITE, t2, "/t/dir/four\0", &m);
	end(a, t1, NULL);
	end(b, t2, NULL);
	XREQ(a, XS_DIRECTORY, 0, "/t/dir\0", &m);
	EXPECT_BYTES(m, XS_DIRECTORY, "one\0three\0four\0");
}

static void test_listing_conflicts(void **state)
{
	struct xmsg m;
	uint32_t t1 = start(a);

	XREQ(a, XS_DIRECTORY, t1, "/t\0", &m);
	EXPECT_BYTES(m, XS_DIRECTORY, "x\0y\0z\0");
	XREQ(b, XS_WRITE, 0, "/t/new\0", &m);
	XREQ(a, XS_WRITE, t1, "/t/x\0after", &m);
	end(a, t1, "EAGAIN");
}

static void test_deleted_meanwhile(void **state)
{
	struct xmsg m;
	uint32_t t1 = start(a);

	XREQ(a, XS_READ, t1, "/t/z\0", &m);
	EXPECT_BYTES(m, XS_READ, "z0");
	XREQ(b, XS_RM, 0, "/t/z\0", &m);
	XREQ(a, XS_WRITE, t1, "/t/other\0v", &m);
	end(a, t1, "EAGAIN");
	XREQ(a, XS_READ, 0, "/t/other\0", &m);
	EXPECT_ERR(m, "ENOENT");
	/* ... and one relying on a node being absent fails when it appears. */
	t1 = start(a);
	XREQ(a, XS_READ, t1, "/t/z\0", &m);
	EXPECT_ERR(m, "ENOENT");
	XREQ(b, XS_WRITE, 0, "/t/z\0back", &m);
	XREQ(a, XS_WRITE, t1, "/t/x\0v", &m);
	end(a, t1, "EAGAIN");
}

static void test_all_ops_inside(void **state)
{
	struct xmsg m;
	uint32_t tx = start(a);

	XREQ(a, XS_WRITE, tx, "/t/sub/deep/leaf\0L", &m);
	EXPECT_OK(m, XS_WRITE);
	XREQ(a, XS_DIRECTORY, tx, "/t\0", &m);
	EXPECT_BYTES(m, XS_DIRECTORY, "x\0y\0z\0sub\0");
	XREQ(a, XS_SET_PERMS, tx, "/t/sub\0n0\0r4\0", &m);
	EXPECT_OK(m, XS_SET_PERMS);
	XREQ(a, XS_GET_PERMS, tx, "/t/sub\0", &m);
	EXPECT_BYTES(m, XS_GET_PERMS, "n0\0r4\0");
	XREQ(a, XS_RM, tx, "/t/x\0", &m);
	EXPECT_OK(m, XS_RM);
	XREQ(a, XS_READ, tx, "/t/x\0", &m);
	EXPECT_ERR(m, "ENOENT");
	XREQ(a, XS_DIRECTORY, tx, "/t\0", &m);
	EXPECT_BYTES(m, XS_DIRECTORY, "y\0z\0sub\0");
	/* Remove a subtree, then re-create part of it. */
	XREQ(a, XS_RM, tx, "/t/sub\0", &m);
	XREQ(a, XS_READ, tx, "/t/sub/deep/leaf\0", &m);
	EXPECT_ERR(m, "ENOENT");
	XREQ(a, XS_WRITE, tx, "/t/sub/again\0A", &m);
	XREQ(a, XS_DIRECTORY, tx, "/t/sub\0", &m);
	EXPECT_BYTES(m, XS_DIRECTORY, "again\0");
	XREQ(a, XS_DIRECTORY_PART, tx, "/t\0000\0", &m);
	assert_int_equal(m.hdr.type, XS_DIRECTORY_PART);
	/* Nothing visible outside yet. */
	XREQ(b, XS_READ, 0, "/t/x\0", &m);
	EXPECT_BYTES(m, XS_READ, "x0");
	end(a, tx, NULL);
	XREQ(b, XS_READ, 0, "/t/x\0", &m);
	EXPECT_ERR(m, "ENOENT");
	XREQ(b, XS_DIRECTORY, 0, "/t/sub\0", &m);
	EXPECT_BYTES(m, XS_DIRECTORY, "again\0");
	XREQ(b, XS_GET_PERMS, 0, "/t/sub/again\0", &m);
	EXPECT_BYTES(m, XS_GET_PERMS, "n0\0");
	XREQ(b, XS_CONTROL, 0, "check\0", &m);
	EXPECT_BYTES(m, XS_CONTROL, "OK\0");
}

static void test_id_rules(void **state)
{
	struct xmsg m;
	uint32_t tx = start(a);

	XREQ(a, XS_TRANSACTION_START, tx, "\0", &m);
	EXPECT_ERR(m, "EBUSY");
	XREQ(a, XS_TRANSACTION_START, tx + 1000, "\0", &m);
	EXPECT_ERR(m, "ENOENT");
	XREQ(a, XS_READ, tx + 1000, "/t/x\0", &m);
	EXPECT_ERR(m, "ENOENT");
	/* Another connection's id means nothing here. */
	XREQ(b, XS_READ, tx, "/t/x\0", &m);
	EXPECT_ERR(m, "ENOENT");
	XREQ(a, XS_TRANSACTION_END, tx, "X\0", &m);
	EXPECT_ERR(m, "EINVAL");
	XREQ(a, XS_TRANSACTION_END, tx, "\0", &m);
	EXPECT_ERR(m, "EINVAL");
	/* Still open after the bad requests. */
	XREQ(a, XS_READ, tx, "/t/x\0", &m);
	EXPECT_BYTES(m, XS_READ, "x0");
	XREQ(a, XS_TRANSACTION_END, tx, "F\0", &m);
	EXPECT_OK(m, XS_TRANSACTION_END);
	XREQ(a, XS_TRANSACTION_END, tx, "F\0", &m);
	EXPECT_ERR(m, "ENOENT");
}

static void test_guest_limits(void **state)
{
	struct xmsg m;
	int g = xconn_as(&dp, 3);
	uint32_t ids[10];

	assert_true(g >= 0);
	XREQ(a, XS_MKDIR, 0, "/local/domain/3\0", &m);
	XREQ(a, XS_SET_PERMS, 0, "/local/domain/3\0n3\0", &m);
	for (int i = 0; i < 10; i++)
		ids[i] = start(g);
	XREQ(g, XS_TRANSACTION_START, 0, "\0", &m);
	EXPECT_ERR(m, "ENOSPC");
	for (int i = 0; i < 10; i++) {
		XREQ(g, XS_TRANSACTION_END, ids[i], "F\0", &m);
		EXPECT_OK(m, XS_TRANSACTION_END);
	}
	/* Touching more than 1024 nodes in one transaction. */
	uint32_t tx = start(g);
	int i;
	for (i = 0; i < 1100; i++) {
		char buf[32];
		int n = snprintf(buf, sizeof(buf), "n%d", i);
		assert_int_equal(xreq(g, XS_READ, tx, buf, (size_t)n + 1, &m), 0);
		if (m.hdr.type == XS_ERROR && strcmp(m.payload, "ENOENT") != 0)
			break;
	}
	EXPECT_ERR(m, "ENOSPC");
	assert_true(i >= 1000 && i <= 1024);
	XREQ(g, XS_TRANSACTION_END, tx, "F\0", &m);
	/* dom0 has no such limits. */
	for (i = 0; i < 12; i++)
		start(b);
	close(g);
	forget_events(g);
	XREQ(a, XS_RM, 0, "/local\0", &m);
}

static void test_close_leaves_no_trace(void **state)
{
	struct xmsg m;
	int c = xconn(&dp);
	uint32_t tx = start(c);

	XREQ(c, XS_WRITE, tx, "/t/ghost\0boo", &m);
	close(c);
	XREQ(a, XS_READ, 0, "/t/ghost\0", &m);
	EXPECT_ERR(m, "ENOENT");
	XREQ(a, XS_CONTROL, 0, "check\0", &m);
	EXPECT_BYTES(m, XS_CONTROL, "OK\0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_isolation, fresh),
		cmocka_unit_test_setup(test_snapshot_reads, fresh),
		cmocka_unit_test_setup(test_read_write_conflict, fresh),
		cmocka_unit_test_setup(test_disjoint_commit, fresh),
		cmocka_unit_test_setup(test_sibling_creation_merges, fresh),
		cmocka_unit_test_setup(test_listing_conflicts, fresh),
		cmocka_unit_test_setup(test_deleted_meanwhile, fresh),
		cmocka_unit_test_setup(test_all_ops_inside, fresh),
		cmocka_unit_test_setup(test_id_rules, fresh),
		cmocka_unit_test_setup(test_guest_limits, fresh),
		cmocka_unit_test_setup(test_close_leaves_no_trace, fresh),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
