/* SPDX-License-Identifier: MIT */
/*
 * The hostile-input catalogue (docs/hostile.md), part one: attacks on the
 * store through requests - node and memory quotas, oversized values, malformed paths,
 * huge transactions, retry storms and transaction races.  Guests are
 * socket connections RESTRICTed to a domain.  Each test asserts what the
 * attacker gets (exact error names), that a bystander domain is served
 * exactly throughout, and that memory returns to its baseline once the
 * attacker is gone (attack.h).  Part two, attacks through the connection
 * itself, is test_proto_attacks_conn.c.
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

#include "attack.h"
#include "expect.h"
#include "proto.h"

#define BYSTANDER_DOMID 50

static struct daemon_proc dp;
static int fd0; /* dom0: sets up, watches the accounting */
static struct bystander by;

/* A daemon per test: one attack's leftovers cannot spoil the next's
 * baseline. */
static int setup(void **state)
{
	if (daemon_start(&dp, NULL) != 0)
		return -1;
	fd0 = xconn(&dp);
	if (fd0 < 0)
		return -1;
	bystander_open(&by, &dp, fd0, BYSTANDER_DOMID);
	return 0;
}

static int teardown(void **state)
{
	bystander_close(&by);
	close(fd0);
	return daemon_stop(&dp) == 0 ? 0 : -1;
}

static void expect_check_ok(void)
{
	struct xmsg m;

	ATTACK_REQ(fd0, XS_CONTROL, 0, &m, "check");
	EXPECT_OK(m, XS_CONTROL);
}

/* A guest domain of its own for one attack, known before the baseline. */
static int guest(unsigned int domid)
{
	int fd = xconn_as(&dp, domid);

	assert_true(fd >= 0);
	return fd;
}

static uint32_t tx_start(int fd)
{
	struct xmsg m;

	ATTACK_REQ(fd, XS_TRANSACTION_START, 0, &m, "");
	assert_int_equal(m.hdr.type, XS_TRANSACTION_START);
	return (uint32_t)strtoul(m.payload, NULL, 10);
}

/*
 * A guest creates nodes until refused: ENOSPC when it owns its quota (1000,
 * its home included), exactly then and not earlier; others are served
 * meanwhile; after removing some it can create again.
 */
static void test_node_quota_fill(void **state)
{
	enum { DOMID = 21, QUOTA = 1000 };
	struct memsnap base;
	struct xmsg m;
	char key[32];
	int created = 0;

	attack_prime_domain(&dp, DOMID);
	memsnap_take(fd0, &base);
	attack_make_home(fd0, DOMID);
	int g = guest(DOMID);

	for (int i = 0; i < QUOTA + 10; i++) {
		snprintf(key, sizeof(key), "n%d", i);
		ATTACK_REQ(g, XS_WRITE, 0, &m, key, "v");
		if (m.hdr.type != XS_WRITE) {
			EXPECT_ERR(m, "ENOSPC");
			break;
		}
		created++;
	}
	assert_int_equal(created, QUOTA - 1);
	assert_int_equal(attack_quota_used(fd0, DOMID, "nodes"), QUOTA);
	/* Refused for good, also for a node below an existing one. */
	ATTACK_REQ(g, XS_WRITE, 0, &m, "n0/child", "v");
	EXPECT_ERR(m, "ENOSPC");
	ATTACK_REQ(g, XS_MKDIR, 0, &m, "dir");
	EXPECT_ERR(m, "ENOSPC");
	/* Overwriting what it owns is no new node. */
	ATTACK_REQ(g, XS_WRITE, 0, &m, "n0", "again");
	EXPECT_OK(m, XS_WRITE);
	/* Others are not affected: the bystander, dom0, another guest. */
	bystander_check(&by);
	ATTACK_REQ(fd0, XS_WRITE, 0, &m, "/dom0/after-fill", "1");
	EXPECT_OK(m, XS_WRITE);
	/* Room comes back with removal. */
	ATTACK_REQ(g, XS_RM, 0, &m, "n1");
	EXPECT_OK(m, XS_RM);
	ATTACK_REQ(g, XS_WRITE, 0, &m, "again", "v");
	EXPECT_OK(m, XS_WRITE);
	ATTACK_REQ(g, XS_WRITE, 0, &m, "again2", "v");
	EXPECT_ERR(m, "ENOSPC");
	expect_check_ok();

	close(g);
	ATTACK_REQ(fd0, XS_RM, 0, &m, "/local/domain/21");
	EXPECT_OK(m, XS_RM);
	ATTACK_REQ(fd0, XS_RM, 0, &m, "/dom0");
	EXPECT_OK(m, XS_RM);
	bystander_check(&by);
	memsnap_expect_back(fd0, &base);
}

/*
 * Values: the largest payload (4096 bytes: path and value) from dom0,
 * plain and all NULs, comes back byte for byte; a guest's value is
 * limited by the node-size quota (2048 bytes of value plus 8 per
 * permission entry): ENOSPC one byte over, never truncation.
 */
static void test_huge_values(void **state)
{
	enum { DOMID = 22, NODE_SIZE = 2048, PERM_CHARGE = 8 };
	static char buf[XS_PAYLOAD_MAX];
	static const char path[] = "/big/v";
	const size_t vlen = XS_PAYLOAD_MAX - sizeof(path);
	struct memsnap base;
	struct xmsg m;

	attack_prime_domain(&dp, DOMID);
	memsnap_take(fd0, &base);
	attack_make_home(fd0, DOMID);
	int g = guest(DOMID);

	for (int nul = 0; nul < 2; nul++) {
		memcpy(buf, path, sizeof(path));
		for (size_t i = 0; i < vlen; i++)
			buf[sizeof(path) + i] = nul ? '\0' : (char)('a' + i % 26);
		assert_int_equal(xreq(fd0, XS_WRITE, 0, buf, XS_PAYLOAD_MAX, &m), 0);
		EXPECT_OK(m, XS_WRITE);
		assert_int_equal(xreq(fd0, XS_READ, 0, path, sizeof(path), &m), 0);
		assert_int_equal(m.hdr.type, XS_READ);
		assert_int_equal(m.hdr.len, vlen);
		assert_memory_equal(m.payload, buf + sizeof(path), vlen);
	}

	/* The guest's home has one permission entry: 2040 bytes fit. */
	const size_t fit = NODE_SIZE - PERM_CHARGE;
	memcpy(buf, "v\0", 2);
	memset(buf + 2, 'g', fit + 1);
	assert_int_equal(xreq(g, XS_WRITE, 0, buf, 2 + fit, &m), 0);
	EXPECT_OK(m, XS_WRITE);
	assert_int_equal(xreq(g, XS_WRITE, 0, buf, 2 + fit + 1, &m), 0);
	EXPECT_ERR(m, "ENOSPC");
	assert_int_equal(xreq(g, XS_READ, 0, "v", 2, &m), 0);
	assert_int_equal(m.hdr.len, fit);
	/* A new node over the limit is not created at all. */
	memcpy(buf, "w\0", 2);
	memset(buf + 2, '\0', XS_PAYLOAD_MAX - 2);
	assert_int_equal(xreq(g, XS_WRITE, 0, buf, XS_PAYLOAD_MAX, &m), 0);
	EXPECT_ERR(m, "ENOSPC");
	assert_int_equal(xreq(g, XS_READ, 0, "w", 2, &m), 0);
	EXPECT_ERR(m, "ENOENT");
	bystander_check(&by);
	expect_check_ok();

	close(g);
	ATTACK_REQ(fd0, XS_RM, 0, &m, "/local/domain/22");
	EXPECT_OK(m, XS_RM);
	ATTACK_REQ(fd0, XS_RM, 0, &m, "/big");
	EXPECT_OK(m, XS_RM);
	memsnap_expect_back(fd0, &base);
}

/* Send type with payload [p, p + len) from fd; expect EINVAL. */
static void expect_einval(int fd, uint32_t type, const char *p, size_t len)
{
	struct xmsg m;

	assert_int_equal(xreq(fd, type, 0, p, len, &m), 0);
	if (m.hdr.type != XS_ERROR || strcmp(m.payload, "EINVAL") != 0)
		fail_msg("type %u, payload of %zu bytes '%.40s': got type %u '%s'",
			 type, len, p, m.hdr.type, m.payload);
}

/*
 * Paths of every invalid shape, from a guest and from dom0, with every
 * request that takes a path: EINVAL, nothing created, and the connection
 * still answers.  (test_proto_errors.c checks the same rules for dom0's
 * node requests one by one; this is the sweep.)
 */
static void test_invalid_paths(void **state)
{
	enum { DOMID = 23 };
	static const char *const bad[] = {
		"", "//", "/a//b", "/a/", "a/", "a//b", "/a b", "/a.b",
		"/a\x01", "/a\x7f", "/\xc3\xa9", "/a\\b", "/local/domain/",
		"@", "@releaseDomain", "@introduceDomain/x",
	};
	static char buf[XS_PAYLOAD_MAX];
	struct memsnap base;
	struct xmsg m;

	attack_prime_domain(&dp, DOMID);
	memsnap_take(fd0, &base);
	attack_make_home(fd0, DOMID);
	int g = guest(DOMID);
	const int who[] = {g, fd0};

	for (size_t w = 0; w < 2; w++) {
		int fd = who[w];
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			size_t n = strlen(bad[i]) + 1;
			memcpy(buf, bad[i], n);
			expect_einval(fd, XS_READ, buf, n);
			expect_einval(fd, XS_DIRECTORY, buf, n);
			memcpy(buf + n, "v", 1);
			expect_einval(fd, XS_WRITE, buf, n + 1);
			expect_einval(fd, XS_MKDIR, buf, n);
			expect_einval(fd, XS_RM, buf, n);
			/* A special path is a fine thing to watch. */
			if (bad[i][0] != '@') {
				memcpy(buf + n, "tok", 4);
				expect_einval(fd, XS_WATCH, buf, n + 4);
			}
		}
		/* Not NUL-terminated; a NUL inside (an extra argument). */
		expect_einval(fd, XS_READ, "/tool", 5);
		expect_einval(fd, XS_READ, "/to\0ol\0", 7);
		expect_einval(fd, XS_RM, "/to\0ol\0", 7);
		expect_einval(fd, XS_WRITE, "/nonul", 6);
		expect_einval(fd, XS_DIRECTORY, "", 0);
		/* Too long: absolute over 3072 bytes. */
		buf[0] = '/';
		memset(buf + 1, 'a', 3072);
		buf[3073] = '\0';
		expect_einval(fd, XS_WRITE, buf, 3074);
		expect_einval(fd, XS_READ, buf, 3074);
	}
	/* A guest's relative path: at most 2048 bytes below its home
	 * (path-max), the same whether written relative or absolute. */
	memset(buf, 'r', 2048);
	buf[2048] = '\0';
	assert_int_equal(xreq(g, XS_WRITE, 0, buf, 2049, &m), 0);
	EXPECT_OK(m, XS_WRITE);
	buf[2048] = 'r';
	buf[2049] = '\0';
	expect_einval(g, XS_WRITE, buf, 2050);
	int n = snprintf(buf, sizeof(buf), "/local/domain/%d/", DOMID);
	memset(buf + n, 's', 2049);
	buf[n + 2049] = '\0';
	expect_einval(g, XS_WRITE, buf, (size_t)n + 2050);
	/* Nothing was made of any of it: the home holds only the one node. */
	ATTACK_REQ(fd0, XS_DIRECTORY, 0, &m, "/local/domain/23");
	assert_int_equal(m.hdr.type, XS_DIRECTORY);
	assert_int_equal(m.hdr.len, 2049);
	assert_int_equal(attack_quota_used(fd0, DOMID, "nodes"), 2);
	ATTACK_REQ(g, XS_READ, 0, &m, "/local/domain/23");
	EXPECT_BYTES(m, XS_READ, "");
	bystander_check(&by);
	expect_check_ok();

	close(g);
	ATTACK_REQ(fd0, XS_RM, 0, &m, "/local/domain/23");
	EXPECT_OK(m, XS_RM);
	memsnap_expect_back(fd0, &base);
}

/*
 * A transaction touching more nodes than a guest may (1024): the request
 * that would touch one more fails with ENOSPC, whether it writes or only
 * reads; the transaction can still be ended, and everything it held goes.
 */
static void test_txn_node_quota(void **state)
{
	enum { DOMID = 24, TXNODES = 1024 };
	struct memsnap base;
	struct xmsg m;
	char key[32];
	int ok = 0;

	attack_prime_domain(&dp, DOMID);
	memsnap_take(fd0, &base);
	attack_make_home(fd0, DOMID);
	int g = guest(DOMID);

	/* Reads of distinct (missing) nodes each touch one. */
	uint32_t tx = tx_start(g);
	for (int i = 0; i < TXNODES + 10; i++) {
		snprintf(key, sizeof(key), "r%d", i);
		ATTACK_REQ(g, XS_READ, tx, &m, key);
		if (strcmp(m.payload, "ENOENT") != 0) {
			EXPECT_ERR(m, "ENOSPC");
			break;
		}
		ok++;
	}
	/* The home counts too: looked at to choose between ENOENT and
	 * EACCES for each missing node. */
	assert_int_equal(ok, TXNODES - 1);
	bystander_check(&by);
	ATTACK_REQ(g, XS_TRANSACTION_END, tx, &m, "F");
	EXPECT_OK(m, XS_TRANSACTION_END);

	/* Writes: each new node, and the parent whose child list changes.
	 * New nodes count against the node quota too (1000): raise it for
	 * this domain so the transaction's own limit is the one reached. */
	ATTACK_REQ(fd0, XS_SET_QUOTA, 0, &m, "24", "nodes", "5000");
	EXPECT_OK(m, XS_SET_QUOTA);
	tx = tx_start(g);
	ok = 0;
	for (int i = 0; i < TXNODES + 10; i++) {
		snprintf(key, sizeof(key), "w%d", i);
		ATTACK_REQ(g, XS_WRITE, tx, &m, key, "v");
		if (m.hdr.type != XS_WRITE) {
			EXPECT_ERR(m, "ENOSPC");
			break;
		}
		ok++;
	}
	assert_true(ok >= TXNODES - 2 && ok < TXNODES);
	assert_int_equal(attack_quota_used(fd0, DOMID, "transactions"), 1);
	bystander_check(&by);
	/* Abandoned: nothing of it reaches the store. */
	ATTACK_REQ(g, XS_TRANSACTION_END, tx, &m, "F");
	EXPECT_OK(m, XS_TRANSACTION_END);
	ATTACK_REQ(fd0, XS_DIRECTORY, 0, &m, "/local/domain/24");
	EXPECT_BYTES(m, XS_DIRECTORY, "");
	assert_int_equal(attack_quota_used(fd0, DOMID, "transactions"), 0);
	/* One left open when the guest goes is freed with the connection. */
	tx = tx_start(g);
	for (int i = 0; i < 500; i++) {
		snprintf(key, sizeof(key), "o%d", i);
		ATTACK_REQ(g, XS_WRITE, tx, &m, key, "v");
		EXPECT_OK(m, XS_WRITE);
	}
	expect_check_ok();

	close(g);
	ATTACK_REQ(fd0, XS_RM, 0, &m, "/local/domain/24");
	EXPECT_OK(m, XS_RM);
	memsnap_expect_back(fd0, &base);
	expect_check_ok();
}

/*
 * A retry storm: a guest's transaction reads a node another domain keeps
 * changing, so every commit fails with EAGAIN; it retries 1000 times.
 * Each failed commit leaves nothing behind (the transaction count and the
 * history of saved states stay bounded), the bystander is served between
 * rounds, and once the writer stops the next attempt commits.  (A rate
 * limit on the writer, as Xen's C daemon has for XSA-206, does not
 * exist here: the storm's victim is the retrying side only.)
 */
static void test_txn_retry_storm(void **state)
{
	enum { DOMID = 25, WRITER = 26, ROUNDS = 1000 };
	struct memsnap base, during;
	struct xmsg m;
	char value[32];

	attack_prime_domain(&dp, DOMID);
	attack_prime_domain(&dp, WRITER);
	memsnap_take(fd0, &base);
	attack_make_home(fd0, DOMID);
	ATTACK_REQ(fd0, XS_WRITE, 0, &m, "/storm/x", "0");
	ATTACK_REQ(fd0, XS_SET_PERMS, 0, &m, "/storm/x", "n0", "b25", "b26");
	EXPECT_OK(m, XS_SET_PERMS);
	int g = guest(DOMID), w = guest(WRITER);

	for (int i = 0; i < ROUNDS; i++) {
		uint32_t tx = tx_start(g);
		ATTACK_REQ(g, XS_READ, tx, &m, "/storm/x");
		assert_int_equal(m.hdr.type, XS_READ);
		snprintf(value, sizeof(value), "%d", i + 1);
		ATTACK_REQ(w, XS_WRITE, 0, &m, "/storm/x", value);
		EXPECT_OK(m, XS_WRITE);
		ATTACK_REQ(g, XS_WRITE, tx, &m, "/storm/x", "mine");
		EXPECT_OK(m, XS_WRITE);
		ATTACK_REQ(g, XS_TRANSACTION_END, tx, &m, "T");
		EXPECT_ERR(m, "EAGAIN");
		if (i % 200 == 0)
			bystander_check(&by);
	}
	memsnap_take(fd0, &during);
	assert_int_equal(during.transactions, base.transactions);
	assert_int_equal(attack_quota_used(fd0, DOMID, "transactions"), 0);
	ATTACK_REQ(fd0, XS_READ, 0, &m, "/storm/x");
	EXPECT_BYTES(m, XS_READ, "1000");
	/* The writer stops: the first attempt commits. */
	uint32_t tx = tx_start(g);
	ATTACK_REQ(g, XS_READ, tx, &m, "/storm/x");
	ATTACK_REQ(g, XS_WRITE, tx, &m, "/storm/x", "mine");
	ATTACK_REQ(g, XS_TRANSACTION_END, tx, &m, "T");
	EXPECT_OK(m, XS_TRANSACTION_END);
	ATTACK_REQ(fd0, XS_READ, 0, &m, "/storm/x");
	EXPECT_BYTES(m, XS_READ, "mine");
	bystander_check(&by);
	expect_check_ok();

	close(g);
	close(w);
	ATTACK_REQ(fd0, XS_RM, 0, &m, "/storm");
	EXPECT_OK(m, XS_RM);
	ATTACK_REQ(fd0, XS_RM, 0, &m, "/local/domain/25");
	EXPECT_OK(m, XS_RM);
	memsnap_expect_back(fd0, &base);
}

/*
 * Transaction races of the advisories: two transactions deleting the same
 * 50 nodes (XSA-440: the second commit fails with EAGAIN, no crash, the
 * node count exact); a node created and deleted inside one transaction
 * (XSA-421: nothing left, count exact); creations in a transaction where
 * one fails on the node-size quota, then a commit (XSA-415: the nodes
 * that were made are whole, none is orphaned).  CONTROL check recomputes
 * every count after each.
 */
static void test_txn_races(void **state)
{
	enum { DOMID = 27 };
	static char big[2100];
	struct memsnap base;
	struct xmsg m;
	char key[32];

	attack_prime_domain(&dp, DOMID);
	memsnap_take(fd0, &base);
	attack_make_home(fd0, DOMID);
	int g = guest(DOMID);

	for (int i = 0; i < 50; i++) {
		snprintf(key, sizeof(key), "d/%d", i);
		ATTACK_REQ(g, XS_WRITE, 0, &m, key, "v");
		EXPECT_OK(m, XS_WRITE);
	}
	assert_int_equal(attack_quota_used(fd0, DOMID, "nodes"), 52);
	uint32_t t1 = tx_start(g), t2 = tx_start(g);
	for (int i = 0; i < 50; i++) {
		snprintf(key, sizeof(key), "d/%d", i);
		ATTACK_REQ(g, XS_RM, t1, &m, key);
		EXPECT_OK(m, XS_RM);
		ATTACK_REQ(g, XS_RM, t2, &m, key);
		EXPECT_OK(m, XS_RM);
	}
	ATTACK_REQ(g, XS_TRANSACTION_END, t1, &m, "T");
	EXPECT_OK(m, XS_TRANSACTION_END);
	ATTACK_REQ(g, XS_TRANSACTION_END, t2, &m, "T");
	EXPECT_ERR(m, "EAGAIN");
	assert_int_equal(attack_quota_used(fd0, DOMID, "nodes"), 2);
	expect_check_ok();

	uint32_t tx = tx_start(g);
	ATTACK_REQ(g, XS_WRITE, tx, &m, "cd/x/y", "v");
	EXPECT_OK(m, XS_WRITE);
	ATTACK_REQ(g, XS_RM, tx, &m, "cd");
	EXPECT_OK(m, XS_RM);
	ATTACK_REQ(g, XS_TRANSACTION_END, tx, &m, "T");
	EXPECT_OK(m, XS_TRANSACTION_END);
	ATTACK_REQ(g, XS_READ, 0, &m, "cd");
	EXPECT_ERR(m, "ENOENT");
	assert_int_equal(attack_quota_used(fd0, DOMID, "nodes"), 2);
	expect_check_ok();

	memset(big, 'b', sizeof(big) - 1);
	tx = tx_start(g);
	ATTACK_REQ(g, XS_WRITE, tx, &m, "pc/a/b", "ok");
	EXPECT_OK(m, XS_WRITE);
	ATTACK_REQ(g, XS_WRITE, tx, &m, "pc/a/c/d", big);
	EXPECT_ERR(m, "ENOSPC");
	ATTACK_REQ(g, XS_TRANSACTION_END, tx, &m, "T");
	EXPECT_OK(m, XS_TRANSACTION_END);
	ATTACK_REQ(g, XS_DIRECTORY, 0, &m, "pc/a");
	EXPECT_BYTES(m, XS_DIRECTORY, "b\0");
	assert_int_equal(attack_quota_used(fd0, DOMID, "nodes"), 5);
	expect_check_ok();
	bystander_check(&by);

	close(g);
	ATTACK_REQ(fd0, XS_RM, 0, &m, "/local/domain/27");
	EXPECT_OK(m, XS_RM);
	memsnap_expect_back(fd0, &base);
}

/*
 * A guest fills its memory quota, lowered for it alone to 100 kB with
 * `quota set memory 100000 <domid>`: writes that would allocate past it
 * fail with ENOMEM, and so does a watch; nothing is half made; removing a
 * node gives the room back; other domains keep the global limit.
 */
static void test_memory_quota_fill(void **state)
{
	enum { DOMID = 28, LIMIT = 100000, VLEN = 2000 };
	static char value[VLEN + 1];
	struct memsnap base;
	struct xmsg m;
	char key[32];
	int ok = 0;

	attack_prime_domain(&dp, DOMID);
	memsnap_take(fd0, &base);
	attack_make_home(fd0, DOMID);
	int g = guest(DOMID);
	ATTACK_REQ(fd0, XS_CONTROL, 0, &m, "quota", "set", "memory", "100000", "28");
	EXPECT_OK(m, XS_CONTROL);
	memset(value, 'm', VLEN);
	for (int i = 0; i < 100; i++) {
		snprintf(key, sizeof(key), "m%d", i);
		ATTACK_REQ(g, XS_WRITE, 0, &m, key, value);
		if (m.hdr.type != XS_WRITE) {
			EXPECT_ERR(m, "ENOMEM");
			ATTACK_REQ(g, XS_READ, 0, &m, key);
			EXPECT_ERR(m, "ENOENT");
			break;
		}
		ok++;
	}
	assert_true(ok >= LIMIT / (VLEN + 200) && ok < LIMIT / VLEN);
	assert_true(attack_quota_used(fd0, DOMID, "memory") <= LIMIT);
	ATTACK_REQ(g, XS_WATCH, 0, &m, "m0", value);
	EXPECT_ERR(m, "ENOMEM");
	bystander_check(&by);
	ATTACK_REQ(by.fd, XS_WRITE, 0, &m, "data/big", value);
	EXPECT_OK(m, XS_WRITE);
	ATTACK_REQ(g, XS_RM, 0, &m, "m0");
	EXPECT_OK(m, XS_RM);
	ATTACK_REQ(g, XS_WRITE, 0, &m, "again", value);
	EXPECT_OK(m, XS_WRITE);
	expect_check_ok();

	close(g);
	ATTACK_REQ(by.fd, XS_RM, 0, &m, "data/big");
	EXPECT_OK(m, XS_RM);
	ATTACK_REQ(fd0, XS_RM, 0, &m, "/local/domain/28");
	EXPECT_OK(m, XS_RM);
	memsnap_expect_back(fd0, &base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_node_quota_fill, setup, teardown),
		cmocka_unit_test_setup_teardown(test_huge_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invalid_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_txn_node_quota, setup, teardown),
		cmocka_unit_test_setup_teardown(test_txn_retry_storm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_txn_races, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memory_quota_fill, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
