/* SPDX-License-Identifier: MIT */
/*
 * Per-domain quotas against a daemon without a hypervisor, with domains
 * played by RESTRICTed socket connections:
 *
 * - overrides: SET_QUOTA/GET_QUOTA with a domid change and report one
 *   domain's limit, leave the global one and other domains alone, and
 *   refuse domains the daemon does not know (ENOENT);
 * - memory: a domain's nodes, watches and transactions are charged to it;
 *   past its hard limit what would allocate fails with ENOMEM, removing
 *   frees room again, and `quota <domid>` never shows more than the limit;
 * - outstanding requests: a domain that pipelines requests and does not
 *   read the replies is served until it has exactly its quota of replies
 *   waiting, then not read any further; once it reads, every request is
 *   answered once, in order, and the count returns to 0;
 * - the node quota holds across transactions: nodes made in a transaction
 *   count against it while it is open and again at its commit, so several
 *   transactions cannot add up past it;
 * - watch events for a domain that does not read them stop being queued
 *   at its hard memory limit (dropped), and flow again once it reads;
 * - write-rate limiting (XSA-206): while a guest rewrites a node in a
 *   tight loop, dom0's transactions that read it still commit within a
 *   bounded number of retries;
 * - accounting stays exact (CONTROL check recomputes it) through all of
 *   that, transactions committed and aborted, and connections closing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "expect.h"
#include "proto.h"

static struct daemon_proc dp;
static int fd0;

static int setup(void **state)
{
	if (daemon_start(&dp, NULL) != 0)
		return -1;
	fd0 = xconn(&dp);
	return fd0 < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	close(fd0);
	return daemon_stop(&dp) == 0 ? 0 : -1;
}

/* Send a request whose payload is the NUL-separated strings given. */
static void req(int fd, uint32_t type, uint32_t tx, struct xmsg *m, ...)
{
	char buf[XS_PAYLOAD_MAX];
	size_t len = 0;
	va_list ap;
	const char *s;

	va_start(ap, m);
	while ((s = va_arg(ap, const char *)) != NULL) {
		size_t n = strlen(s) + 1;
		assert_true(len + n <= sizeof(buf));
		memcpy(buf + len, s, n);
		len += n;
	}
	va_end(ap);
	/* WRITE's value is not NUL-terminated: drop the last NUL. */
	if (type == XS_WRITE && len)
		len--;
	assert_int_equal(xreq(fd, type, tx, buf, len, m), 0);
}

static void expect_ok(int fd, uint32_t type, uint32_t tx, const char *a,
		      const char *b)
{
	struct xmsg m;

	req(fd, type, tx, &m, a, b, NULL);
	EXPECT_OK(m, type);
}

/* dom0 gives domid a home it owns. */
static void make_home(unsigned int domid)
{
	char path[64], perm[16];

	snprintf(path, sizeof(path), "/local/domain/%u", domid);
	snprintf(perm, sizeof(perm), "n%u", domid);
	expect_ok(fd0, XS_MKDIR, 0, path, NULL);
	expect_ok(fd0, XS_SET_PERMS, 0, path, perm);
}

static void expect_check_ok(void)
{
	struct xmsg m;

	req(fd0, XS_CONTROL, 0, &m, "check", NULL);
	EXPECT_OK(m, XS_CONTROL);
}

/* The number on the line of `quota <domid>` named item ("memory", ...). */
static long long quota_used(unsigned int domid, const char *item)
{
	struct xmsg m;
	char id[16];

	snprintf(id, sizeof(id), "%u", domid);
	req(fd0, XS_CONTROL, 0, &m, "quota", id, NULL);
	assert_int_equal(m.hdr.type, XS_CONTROL);
	for (char *line = m.payload; line && *line;) {
		char *next = strchr(line, '\n');
		size_t n = strlen(item);
		if (strncmp(line, item, n) == 0 && line[n] == ' ') {
			char *colon = strchr(line, ':');
			assert_non_null(colon);
			return strtoll(colon + 1, NULL, 10);
		}
		line = next ? next + 1 : NULL;
	}
	fail_msg("no line '%s' in: %s", item, m.payload);
	return -1;
}

static void test_override(void **state)
{
	struct xmsg m;

	/* Unknown domains have no settings of their own. */
	req(fd0, XS_SET_QUOTA, 0, &m, "7", "nodes", "3", NULL);
	EXPECT_ERR(m, "ENOENT");
	req(fd0, XS_GET_QUOTA, 0, &m, "7", "nodes", NULL);
	EXPECT_ERR(m, "ENOENT");

	int g7 = xconn_as(&dp, 7), g8 = xconn_as(&dp, 8);
	assert_true(g7 >= 0 && g8 >= 0);
	make_home(7);
	make_home(8);

	req(fd0, XS_SET_QUOTA, 0, &m, "7", "nodes", "3", NULL);
	EXPECT_OK(m, XS_SET_QUOTA);
	req(fd0, XS_GET_QUOTA, 0, &m, "7", "nodes", NULL);
	EXPECT_BYTES(m, XS_GET_QUOTA, "3\0");
	req(fd0, XS_GET_QUOTA, 0, &m, "8", "nodes", NULL);
	EXPECT_BYTES(m, XS_GET_QUOTA, "1000\0");
	req(fd0, XS_GET_QUOTA, 0, &m, "nodes", NULL);
	EXPECT_BYTES(m, XS_GET_QUOTA, "1000\0");
	req(fd0, XS_SET_QUOTA, 0, &m, "7", "bogus", "3", NULL);
	EXPECT_ERR(m, "EINVAL");
	req(fd0, XS_SET_QUOTA, 0, &m, "x7", "nodes", "3", NULL);
	EXPECT_ERR(m, "EINVAL");

	/* Its home counts: two more nodes, then no more. */
	expect_ok(g7, XS_WRITE, 0, "a", "1");
	expect_ok(g7, XS_WRITE, 0, "b", "1");
	req(g7, XS_WRITE, 0, &m, "c", "1", NULL);
	EXPECT_ERR(m, "ENOSPC");
	/* Domain 8 still has the global 1000. */
	expect_ok(g8, XS_WRITE, 0, "a", "1");
	expect_ok(g8, XS_WRITE, 0, "b", "1");
	expect_ok(g8, XS_WRITE, 0, "c", "1");
	assert_int_equal(quota_used(7, "nodes"), 3);
	assert_int_equal(quota_used(8, "nodes"), 4);

	/* Through xenstore-control's spelling too, for one domain. */
	req(fd0, XS_CONTROL, 0, &m, "quota", "set", "nodes", "5", "7", NULL);
	EXPECT_OK(m, XS_CONTROL);
	expect_ok(g7, XS_WRITE, 0, "c", "1");
	req(fd0, XS_GET_QUOTA, 0, &m, "nodes", NULL);
	EXPECT_BYTES(m, XS_GET_QUOTA, "1000\0");
	expect_check_ok();
	close(g7);
	close(g8);
}

static void test_memory(void **state)
{
	struct xmsg m;
	char value[1001];
	int g = xconn_as(&dp, 9);

	assert_true(g >= 0);
	make_home(9);
	memset(value, 'v', 1000);
	value[1000] = '\0';
	req(fd0, XS_SET_QUOTA, 0, &m, "9", "memory", "6000", NULL);
	EXPECT_OK(m, XS_SET_QUOTA);

	int ok = 0, refused = -1;
	for (int i = 0; i < 10 && refused < 0; i++) {
		char key[8];
		snprintf(key, sizeof(key), "k%d", i);
		req(g, XS_WRITE, 0, &m, key, value, NULL);
		if (m.hdr.type == XS_WRITE) {
			ok++;
			continue;
		}
		EXPECT_ERR(m, "ENOMEM");
		refused = i;
	}
	assert_true(ok >= 3);
	assert_true(refused > 0);
	assert_true(quota_used(9, "memory") <= 6000);
	/* The refused node does not exist. */
	char key[8];
	snprintf(key, sizeof(key), "k%d", refused);
	req(g, XS_READ, 0, &m, key, NULL);
	EXPECT_ERR(m, "ENOENT");

	/* Watches cost memory too. */
	char token[2001];
	memset(token, 't', 2000);
	token[2000] = '\0';
	req(g, XS_WATCH, 0, &m, "k0", token, NULL);
	EXPECT_ERR(m, "ENOMEM");

	/* Removing gives the room back. */
	long long before = quota_used(9, "memory");
	expect_ok(g, XS_RM, 0, "k0", NULL);
	assert_true(quota_used(9, "memory") < before - 1000);
	expect_ok(g, XS_WRITE, 0, key, "small");
	expect_check_ok();

	/* dom0 is exempt. */
	for (int i = 0; i < 10; i++) {
		char path[32];
		snprintf(path, sizeof(path), "/dom0big/%d", i);
		expect_ok(fd0, XS_WRITE, 0, path, value);
	}
	expect_ok(fd0, XS_RM, 0, "/dom0big", NULL);
	close(g);
}

static void test_transactions_accounted(void **state)
{
	struct xmsg m;
	int g = xconn_as(&dp, 11);

	assert_true(g >= 0);
	make_home(11);
	long long base = quota_used(11, "memory");
	assert_int_equal(quota_used(11, "transactions"), 0);

	req(g, XS_TRANSACTION_START, 0, &m, "", NULL);
	assert_int_equal(m.hdr.type, XS_TRANSACTION_START);
	uint32_t tx = (uint32_t)strtoul(m.payload, NULL, 10);
	assert_int_equal(quota_used(11, "transactions"), 1);
	long long started = quota_used(11, "memory");
	assert_true(started > base);
	expect_ok(g, XS_WRITE, tx, "t1", "some value");
	expect_ok(g, XS_WRITE, tx, "t2", "some value");
	assert_true(quota_used(11, "memory") > started);
	expect_check_ok();
	expect_ok(g, XS_TRANSACTION_END, tx, "T", NULL);
	assert_int_equal(quota_used(11, "transactions"), 0);
	assert_int_equal(quota_used(11, "nodes"), 3);
	expect_check_ok();

	/* An aborted one leaves nothing. */
	long long committed = quota_used(11, "memory");
	req(g, XS_TRANSACTION_START, 0, &m, "", NULL);
	tx = (uint32_t)strtoul(m.payload, NULL, 10);
	expect_ok(g, XS_WRITE, tx, "t3", "x");
	expect_ok(g, XS_TRANSACTION_END, tx, "F", NULL);
	assert_int_equal(quota_used(11, "memory"), committed);

	/* One left open goes with the connection. */
	req(g, XS_TRANSACTION_START, 0, &m, "", NULL);
	tx = (uint32_t)strtoul(m.payload, NULL, 10);
	expect_ok(g, XS_WRITE, tx, "t4", "x");
	req(g, XS_WATCH, 0, &m, "t1", "tok", NULL);
	EXPECT_OK(m, XS_WATCH);
	forget_events(g);
	close(g);
	for (int i = 0; i < 100 && quota_used(11, "transactions") != 0; i++)
		usleep(10000);
	assert_int_equal(quota_used(11, "transactions"), 0);
	assert_int_equal(quota_used(11, "watches"), 0);
	assert_int_equal(quota_used(11, "memory"), committed);
	expect_check_ok();
}

static int wait_outstanding(unsigned int domid, long long want)
{
	for (int i = 0; i < 500; i++) {
		if (quota_used(domid, "outstanding") == want)
			return 0;
		usleep(10000);
	}
	return -1;
}

static void test_outstanding(void **state)
{
	enum { N = 200, VLEN = 4000 };
	struct xmsg m;
	char value[VLEN + 1];
	int g = xconn_as(&dp, 12);

	assert_true(g >= 0);
	make_home(12);
	memset(value, 'o', VLEN);
	value[VLEN] = '\0';
	/* Over the node-size quota of a guest: dom0 writes it. */
	expect_ok(fd0, XS_WRITE, 0, "/local/domain/12/big", value);

	/* N reads of a 4000-byte value, sent at once, replies left unread:
	 * the socket fills, then the daemon queues exactly 20 and stops. */
	static char reqs[N * (XS_HDR_SIZE + 4)];
	size_t len = 0;
	for (uint32_t i = 1; i <= N; i++) {
		struct xs_msg_hdr h = {.type = XS_READ, .req_id = i, .len = 4};
		memcpy(reqs + len, &h, XS_HDR_SIZE);
		memcpy(reqs + len + XS_HDR_SIZE, "big", 4);
		len += XS_HDR_SIZE + 4;
	}
	assert_int_equal(xsend_raw(g, reqs, len), 0);
	assert_int_equal(wait_outstanding(12, 20), 0);
	usleep(100000);
	assert_int_equal(quota_used(12, "outstanding"), 20);
	/* Others are served meanwhile. */
	expect_ok(fd0, XS_WRITE, 0, "/bystander", "1");
	expect_check_ok();

	for (uint32_t i = 1; i <= N; i++) {
		assert_int_equal(xrecv(g, &m, 5000), 1);
		assert_int_equal(m.hdr.type, XS_READ);
		assert_int_equal(m.hdr.req_id, i);
		assert_int_equal(m.hdr.len, VLEN);
	}
	assert_int_equal(wait_outstanding(12, 0), 0);
	/* Nothing more comes. */
	struct pollfd p = {.fd = g, .events = POLLIN};
	assert_int_equal(poll(&p, 1, 100), 0);

	/* A lower quota for this domain applies at once. */
	req(fd0, XS_SET_QUOTA, 0, &m, "12", "outstanding", "5", NULL);
	EXPECT_OK(m, XS_SET_QUOTA);
	assert_int_equal(xsend_raw(g, reqs, len), 0);
	assert_int_equal(wait_outstanding(12, 5), 0);
	for (uint32_t i = 1; i <= N; i++) {
		assert_int_equal(xrecv(g, &m, 5000), 1);
		assert_int_equal(m.hdr.req_id, i);
	}
	assert_int_equal(wait_outstanding(12, 0), 0);
	expect_check_ok();
	close(g);
}

static void test_restrict_moves_usage(void **state)
{
	struct xmsg m;
	int c = xconn(&dp);

	assert_true(c >= 0);
	req(c, XS_WATCH, 0, &m, "/somewhere", "tok", NULL);
	EXPECT_OK(m, XS_WATCH);
	forget_events(c);
	req(c, XS_RESTRICT, 0, &m, "13", NULL);
	EXPECT_OK(m, XS_RESTRICT);
	assert_int_equal(quota_used(13, "watches"), 1);
	expect_check_ok();
	close(c);
	for (int i = 0; i < 100 && quota_used(13, "watches") != 0; i++)
		usleep(10000);
	assert_int_equal(quota_used(13, "watches"), 0);
	expect_check_ok();
}

static uint32_t start_tx(int fd)
{
	struct xmsg m;

	req(fd, XS_TRANSACTION_START, 0, &m, "", NULL);
	assert_int_equal(m.hdr.type, XS_TRANSACTION_START);
	return (uint32_t)strtoul(m.payload, NULL, 10);
}

static void test_node_quota_across_transactions(void **state)
{
	struct xmsg m;
	int g = xconn_as(&dp, 16);
	uint32_t tx[3];

	assert_true(g >= 0);
	make_home(16);
	req(fd0, XS_SET_QUOTA, 0, &m, "16", "nodes", "5", NULL);
	EXPECT_OK(m, XS_SET_QUOTA);
	/* Home + 4: each transaction alone may make 3 nodes, */
	for (int i = 0; i < 3; i++) {
		tx[i] = start_tx(g);
		for (int k = 0; k < 3; k++) {
			char key[16];
			snprintf(key, sizeof(key), "t%d-%d", i, k);
			expect_ok(g, XS_WRITE, tx[i], key, "v");
		}
	}
	/* one a fourth but not a fifth, */
	expect_ok(g, XS_WRITE, tx[0], "t0-3", "v");
	req(g, XS_WRITE, tx[0], &m, "t0-4", "v", NULL);
	EXPECT_ERR(m, "ENOSPC");
	/* ...and only the first commit fits. */
	expect_ok(g, XS_TRANSACTION_END, tx[0], "T", NULL);
	req(g, XS_TRANSACTION_END, tx[1], &m, "T", NULL);
	EXPECT_ERR(m, "ENOSPC");
	req(g, XS_TRANSACTION_END, tx[2], &m, "T", NULL);
	EXPECT_ERR(m, "ENOSPC");
	assert_int_equal(quota_used(16, "nodes"), 5);
	assert_int_equal(quota_used(16, "transactions"), 0);
	req(g, XS_READ, 0, &m, "t1-0", NULL);
	EXPECT_ERR(m, "ENOENT");
	expect_check_ok();
	close(g);
}

static void test_events_capped_by_memory(void **state)
{
	enum { WRITES = 400, TLEN = 2000 };
	struct xmsg m;
	static char token[TLEN + 1];
	int g = xconn_as(&dp, 15);

	assert_true(g >= 0);
	make_home(15);
	memset(token, 'e', TLEN);
	req(g, XS_WATCH, 0, &m, "/local/domain/15/w", token, NULL);
	EXPECT_OK(m, XS_WATCH);
	assert_int_equal(xrecv(g, &m, 5000), 1); /* the initial event */
	assert_int_equal(m.hdr.type, XS_WATCH_EVENT);

	char limit[32];
	long long cap = quota_used(15, "memory") + 20000;
	snprintf(limit, sizeof(limit), "%lld", cap);
	req(fd0, XS_SET_QUOTA, 0, &m, "15", "memory", limit, NULL);
	EXPECT_OK(m, XS_SET_QUOTA);
	/* The socket holds a hundred or so events; then they queue in the
	 * daemon until the domain's memory is used up. */
	for (int i = 0; i < WRITES; i++)
		expect_ok(fd0, XS_WRITE, 0, "/local/domain/15/w", "x");
	assert_true(quota_used(15, "memory") <= cap);
	expect_check_ok();

	unsigned int got = 0;
	while (xrecv(g, &m, 300) == 1) {
		assert_int_equal(m.hdr.type, XS_WATCH_EVENT);
		assert_int_equal(m.hdr.len, sizeof("/local/domain/15/w") + TLEN + 1);
		got++;
	}
	assert_true(got > 0 && got < WRITES);
	/* Read up: events flow again. */
	expect_ok(fd0, XS_WRITE, 0, "/local/domain/15/w", "y");
	assert_int_equal(xrecv(g, &m, 5000), 1);
	assert_int_equal(m.hdr.type, XS_WATCH_EVENT);
	expect_check_ok();
	close(g);
}

/* The hostile guest: rewrites one node as fast as it is answered. */
struct hammer {
	int fd;
	atomic_bool stop;
	atomic_uint writes, errors;
};

static void *hammer_main(void *arg)
{
	struct hammer *h = arg;
	static const char msg[] = "hot\0x";
	uint32_t id = 1;
	struct xmsg m;

	while (!atomic_load(&h->stop)) {
		if (xsend(h->fd, XS_WRITE, id, 0, msg, sizeof(msg) - 1) < 0 ||
		    xrecv(h->fd, &m, 5000) != 1 || m.hdr.req_id != id) {
			atomic_fetch_add(&h->errors, 1);
			break;
		}
		id++;
		atomic_fetch_add(&h->writes, 1);
	}
	return NULL;
}

static void test_conflict_storm(void **state)
{
	enum { COMMITS = 20, MAX_ATTEMPTS = COMMITS * 10 };
	struct xmsg m;
	struct hammer h = {.fd = xconn_as(&dp, 14)};
	pthread_t th;

	assert_true(h.fd >= 0);
	make_home(14);
	expect_ok(h.fd, XS_WRITE, 0, "hot", "0");
	assert_int_equal(pthread_create(&th, NULL, hammer_main, &h), 0);
	/* Let it get going. */
	while (atomic_load(&h.writes) < 100 && !atomic_load(&h.errors))
		usleep(1000);

	unsigned int attempts = 0, commits = 0;
	while (commits < COMMITS && attempts < MAX_ATTEMPTS) {
		attempts++;
		req(fd0, XS_TRANSACTION_START, 0, &m, "", NULL);
		assert_int_equal(m.hdr.type, XS_TRANSACTION_START);
		uint32_t tx = (uint32_t)strtoul(m.payload, NULL, 10);
		req(fd0, XS_READ, tx, &m, "/local/domain/14/hot", NULL);
		assert_int_equal(m.hdr.type, XS_READ);
		expect_ok(fd0, XS_WRITE, tx, "/seen", "1");
		req(fd0, XS_TRANSACTION_END, tx, &m, "T", NULL);
		if (m.hdr.type == XS_TRANSACTION_END) {
			commits++;
			continue;
		}
		EXPECT_ERR(m, "EAGAIN");
	}
	atomic_store(&h.stop, true);
	pthread_join(th, NULL);
	assert_int_equal(atomic_load(&h.errors), 0);
	/* The guest was served throughout, only slower while transactions
	 * were open. */
	assert_true(atomic_load(&h.writes) > 100);
	if (commits < COMMITS)
		fail_msg("%u commits in %u attempts", commits, attempts);
	close(h.fd);
	expect_check_ok();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_override),
		cmocka_unit_test(test_memory),
		cmocka_unit_test(test_transactions_accounted),
		cmocka_unit_test(test_outstanding),
		cmocka_unit_test(test_restrict_moves_usage),
		cmocka_unit_test(test_node_quota_across_transactions),
		cmocka_unit_test(test_events_capped_by_memory),
		cmocka_unit_test(test_conflict_storm),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
