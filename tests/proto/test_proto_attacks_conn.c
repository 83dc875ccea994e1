/* SPDX-License-Identifier: MIT */
/*
 * The hostile-input catalogue (docs/hostile.md), part two: attacks through
 * the connection - thousands of watches with huge tokens, RESET_WATCHES
 * loops, a watcher of a hot path that never reads, a client sending one
 * byte a second, clients that never read their replies.  As in part one
 * (test_proto_attacks.c), each test asserts what the attacker gets, that
 * a bystander domain is served exactly throughout, and that memory
 * returns to its baseline once the attacker is gone (attack.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
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

static int guest(unsigned int domid)
{
	int fd = xconn_as(&dp, domid);

	assert_true(fd >= 0);
	return fd;
}

/* WATCH path token from fd, the token being prefix + len bytes of 't'. */
static void watch_big(int fd, const char *path, unsigned int prefix,
		      size_t len, struct xmsg *m)
{
	static char buf[XS_PAYLOAD_MAX];
	size_t pl = strlen(path) + 1;
	int n = snprintf(buf + pl, 16, "%u-", prefix);

	assert_true(pl + (size_t)n + len + 1 <= sizeof(buf));
	memcpy(buf, path, pl);
	memset(buf + pl + n, 't', len);
	buf[pl + (size_t)n + len] = '\0';
	assert_int_equal(xreq(fd, XS_WATCH, 0, buf, pl + (size_t)n + len + 1, m), 0);
}

/*
 * A guest registers watches with 3000-byte tokens until refused: exactly
 * its quota (128) succeed, then E2BIG; each fired its initial event (3 KB
 * each, all delivered).  dom0 has no watch quota: 2000 watches with
 * 2000-byte tokens all succeed, and the memory they hold (4 MB) returns
 * when half are removed with UNWATCH and the rest with the connection.
 */
static void test_watch_flood(void **state)
{
	enum { DOMID = 31, QUOTA = 128, DOM0_WATCHES = 2000 };
	struct memsnap base, during;
	struct xmsg m;
	int ok = 0;

	attack_prime_domain(&dp, DOMID);
	memsnap_take(fd0, &base);
	attack_make_home(fd0, DOMID);
	int g = guest(DOMID);
	for (unsigned int i = 0; i < QUOTA + 5; i++) {
		watch_big(g, "data", i, 3000, &m);
		if (m.hdr.type != XS_WATCH) {
			EXPECT_ERR(m, "E2BIG");
			break;
		}
		EXPECT_OK(m, XS_WATCH);
		ok++;
	}
	assert_int_equal(ok, QUOTA);
	assert_int_equal(attack_quota_used(fd0, DOMID, "watches"), QUOTA);
	struct events ev;
	collect_events(g, &ev);
	assert_int_equal(ev.count, QUOTA);
	bystander_check(&by);
	forget_events(g);
	close(g);

	int w = xconn(&dp);
	assert_true(w >= 0);
	for (unsigned int i = 0; i < DOM0_WATCHES; i++) {
		watch_big(w, "/flood", i, 2000, &m);
		EXPECT_OK(m, XS_WATCH);
		if (i % 500 == 0)
			bystander_check(&by);
	}
	memsnap_take(fd0, &during);
	assert_int_equal(during.watches, base.watches + DOM0_WATCHES);
	if (base.heap)
		assert_true(during.heap - base.heap > DOM0_WATCHES * 2000);
	for (unsigned int i = 0; i < DOM0_WATCHES / 2; i++) {
		static char buf[XS_PAYLOAD_MAX];
		int n = snprintf(buf, sizeof(buf), "/flood%c%u-", 0, i);
		memset(buf + n, 't', 2000);
		buf[n + 2000] = '\0';
		assert_int_equal(xreq(w, XS_UNWATCH, 0, buf, (size_t)n + 2001, &m), 0);
		EXPECT_OK(m, XS_UNWATCH);
	}
	memsnap_take(fd0, &during);
	assert_int_equal(during.watches, base.watches + DOM0_WATCHES / 2);
	bystander_check(&by);
	forget_events(w);
	close(w);

	ATTACK_REQ(fd0, XS_RM, 0, &m, "/local/domain/31");
	EXPECT_OK(m, XS_RM);
	memsnap_expect_back(fd0, &base);
}

/*
 * XSA-330: a guest fills its watch quota, RESET_WATCHES, and again, 50
 * times over; the watch count and the heap come back each time, with the
 * guest still connected.
 */
static void test_reset_watches_loop(void **state)
{
	enum { DOMID = 32, QUOTA = 128, ROUNDS = 50 };
	struct memsnap base;
	struct xmsg m;

	attack_make_home(fd0, DOMID);
	int g = guest(DOMID);
	memsnap_take(fd0, &base);
	for (unsigned int r = 0; r < ROUNDS; r++) {
		for (unsigned int i = 0; i < QUOTA; i++) {
			watch_big(g, "data", i, 100, &m);
			EXPECT_OK(m, XS_WATCH);
		}
		ATTACK_REQ(g, XS_RESET_WATCHES, 0, &m, "");
		EXPECT_OK(m, XS_RESET_WATCHES);
		forget_events(g);
		if (r % 10 == 0)
			bystander_check(&by);
	}
	assert_int_equal(attack_quota_used(fd0, DOMID, "watches"), 0);
	/* Initial events not read yet may still be queued: read them. */
	struct events ev;
	collect_events(g, &ev);
	memsnap_expect_back(fd0, &base);
	close(g);
}

/*
 * A watcher of a hot path that never reads (a tiny socket buffer, so its
 * events back up in the daemon): 5000 writes to the path are all answered
 * at once, the events queued for it stay bounded (1024, the rest
 * dropped), and everything goes with it.
 */
static void test_slow_reader_hot_watch(void **state)
{
	enum { WRITES = 5000, EVENTS_MAX = 1024 };
	struct memsnap base, during;
	struct xmsg m;
	int small = 4096;

	memsnap_take(fd0, &base);
	int w = xconn(&dp);
	assert_true(w >= 0);
	setsockopt(w, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	ATTACK_REQ(w, XS_WATCH, 0, &m, "/hot", "slow");
	EXPECT_OK(m, XS_WATCH);
	for (int i = 0; i < WRITES; i++) {
		ATTACK_REQ(fd0, XS_WRITE, 0, &m, "/hot/k", "value");
		EXPECT_OK(m, XS_WRITE);
		if (i % 1000 == 0)
			bystander_check(&by);
	}
	memsnap_take(fd0, &during);
	/* "/hot/k\0slow\0" plus its header, per event. */
	assert_true(during.queued <= EVENTS_MAX * (16 + 12));
	if (base.heap)
		assert_true(during.heap - base.heap < 1024 * 1024);
	bystander_check(&by);
	forget_events(w);
	close(w);
	ATTACK_REQ(fd0, XS_RM, 0, &m, "/hot");
	EXPECT_OK(m, XS_RM);
	memsnap_expect_back(fd0, &base);
}

/*
 * A guest sends a request one byte a second (3 s of it): no reply until it
 * is whole, no memory per byte, and the bystander is served exactly in
 * between.  Then the rest comes at once and gets its exact reply; then
 * half of another request and the guest disconnects.
 */
static void test_one_byte_per_second(void **state)
{
	enum { DOMID = 33 };
	static const char path[] = "/local/domain/33/x";
	struct xs_msg_hdr hdr = {XS_READ, 4711, 0, sizeof(path)};
	char msg[sizeof(hdr) + sizeof(path)];
	struct memsnap base, during;
	struct xmsg m;

	attack_prime_domain(&dp, DOMID);
	attack_make_home(fd0, DOMID);
	ATTACK_REQ(fd0, XS_WRITE, 0, &m, path, "slow");
	EXPECT_OK(m, XS_WRITE);
	memsnap_take(fd0, &base);
	int g = guest(DOMID);
	memcpy(msg, &hdr, sizeof(hdr));
	memcpy(msg + sizeof(hdr), path, sizeof(path));
	for (int i = 0; i < 3; i++) {
		assert_int_equal(xsend_raw(g, msg + i, 1), 0);
		bystander_check(&by);
		memsnap_take(fd0, &during);
		if (base.heap)
			assert_true(during.heap - base.heap < ATTACK_HEAP_SLACK);
		sleep(1);
	}
	assert_int_equal(xsend_raw(g, msg + 3, sizeof(msg) - 3), 0);
	assert_int_equal(xrecv(g, &m, 5000), 1);
	assert_int_equal(m.hdr.req_id, 4711);
	EXPECT_BYTES(m, XS_READ, "slow");
	assert_int_equal(xsend_raw(g, msg, sizeof(hdr) + 3), 0);
	close(g);
	bystander_check(&by);
	memsnap_expect_back(fd0, &base);
}

/* Pipeline count copies of req on fd without reading anything; returns
 * how many the socket took before it stayed full. */
static size_t pipeline(int fd, const char *req, size_t len, size_t count)
{
	size_t sent = 0;

	fcntl(fd, F_SETFL, O_NONBLOCK);
	while (sent < count) {
		ssize_t n = send(fd, req, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EAGAIN) {
			usleep(20000);
			n = send(fd, req, len, MSG_NOSIGNAL);
		}
		if (n < 0)
			break;
		/* A message cut short by a full socket: finish it blocking
		 * would wait for ever, so stop here (the rest never comes). */
		sent++;
		if ((size_t)n < len)
			break;
	}
	return sent;
}

static int wait_outstanding(unsigned int domid, long long want)
{
	for (int i = 0; i < 500; i++) {
		if (attack_quota_used(fd0, domid, "outstanding") == want)
			return 0;
		usleep(10000);
	}
	return -1;
}

/*
 * Clients that send and never read their replies.  A guest is read until
 * it has 20 replies waiting (outstanding-requests quota) and then not at
 * all; dom0, exempt from quotas, until 256 KiB of output wait for it.
 * Either way the bystander is served, the memory held is bounded, and it
 * all returns when the client goes.
 */
static void test_never_reads_replies(void **state)
{
	enum { DOMID = 34, OUTSTANDING = 20, GUEST_VLEN = 2000, DOM0_VLEN = 4000 };
	static char value[DOM0_VLEN + 1];
	struct memsnap base, during;
	struct xmsg m;

	attack_prime_domain(&dp, DOMID);
	memsnap_take(fd0, &base);
	attack_make_home(fd0, DOMID);
	memset(value, 'v', DOM0_VLEN);
	value[GUEST_VLEN] = '\0';
	int g = guest(DOMID);
	ATTACK_REQ(g, XS_WRITE, 0, &m, "big", value);
	EXPECT_OK(m, XS_WRITE);

	struct xs_msg_hdr hdr = {XS_READ, 1, 0, 4};
	char req[sizeof(hdr) + 4];
	memcpy(req, &hdr, sizeof(hdr));
	memcpy(req + sizeof(hdr), "big", 4);
	pipeline(g, req, sizeof(req), 2000);
	assert_int_equal(wait_outstanding(DOMID, OUTSTANDING), 0);
	bystander_check(&by);
	usleep(100000);
	assert_int_equal(attack_quota_used(fd0, DOMID, "outstanding"), OUTSTANDING);
	memsnap_take(fd0, &during);
	assert_true(during.queued <= OUTSTANDING * (16 + GUEST_VLEN));
	close(g);

	value[GUEST_VLEN] = 'v';
	ATTACK_REQ(fd0, XS_WRITE, 0, &m, "/big", value);
	EXPECT_OK(m, XS_WRITE);
	int c = xconn(&dp);
	assert_true(c >= 0);
	char req0[sizeof(hdr) + 5];
	hdr.len = 5;
	memcpy(req0, &hdr, sizeof(hdr));
	memcpy(req0 + sizeof(hdr), "/big", 5);
	size_t sent = pipeline(c, req0, sizeof(req0), 200000);
	assert_true(sent < 200000);
	bystander_check(&by);
	memsnap_take(fd0, &during);
	/* 256 KiB of output, and what the last turn added past it. */
	assert_true(during.queued <= 256 * 1024 + 32 * (16 + DOM0_VLEN));
	if (base.heap)
		assert_true(during.heap - base.heap < 1024 * 1024);
	close(c);

	ATTACK_REQ(fd0, XS_RM, 0, &m, "/big");
	EXPECT_OK(m, XS_RM);
	ATTACK_REQ(fd0, XS_RM, 0, &m, "/local/domain/34");
	EXPECT_OK(m, XS_RM);
	bystander_check(&by);
	memsnap_expect_back(fd0, &base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_watch_flood, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_watches_loop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slow_reader_hot_watch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_byte_per_second, setup, teardown),
		cmocka_unit_test_setup_teardown(test_never_reads_replies, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
