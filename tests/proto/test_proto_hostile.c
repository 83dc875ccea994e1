/* SPDX-License-Identifier: MIT */
/*
 * Hostile clients against a real daemon: bad headers, oversized lengths,
 * dribbled bytes, clients that never read, oversized watch events, deep
 * trees.  After each, the daemon must be alive and answer other clients
 * correctly.
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

#include "proto.h"

static struct daemon_proc dp;

/* A fresh client can still write and read back. */
static void assert_serving(void)
{
	struct xmsg m;
	int fd = xconn(&dp);

	assert_true(fd >= 0);
	assert_true(daemon_alive(&dp));
	assert_int_equal(XREQ(fd, XS_WRITE, 0, "/alive\0yes", &m), 0);
	assert_int_equal(m.hdr.type, XS_WRITE);
	assert_int_equal(XREQ(fd, XS_READ, 0, "/alive\0", &m), 0);
	assert_int_equal(m.hdr.type, XS_READ);
	assert_memory_equal(m.payload, "yes", 3);
	close(fd);
}

/* Resident memory of the daemon in KiB. */
static long daemon_rss_kib(void)
{
	char path[64], line[256];
	long kib = -1;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)dp.pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

static int setup(void **state)
{
	return daemon_start(&dp, NULL);
}

static int teardown(void **state)
{
	return daemon_stop(&dp) == 0 ? 0 : -1;
}

static void test_truncated_header(void **state)
{
	int fd = xconn(&dp);

	assert_int_equal(xsend_raw(fd, "\x02\x00\x00\x00\x01\x00", 6), 0);
	/* A partial header left hanging must not block anyone. */
	assert_serving();
	close(fd);
	assert_serving();
}

static void test_oversized_lengths(void **state)
{
	static const uint32_t lens[] = {4097, 65536, 0x40000000, 0x7fffffff,
					0xffffffff};
	struct xmsg m;

	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		int fd = xconn(&dp);
		struct xs_msg_hdr hdr = {XS_READ, 1, 0, lens[i]};
		assert_int_equal(xsend_raw(fd, &hdr, sizeof(hdr)), 0);
		/* The connection is dropped: end of stream, no reply. */
		assert_int_equal(xrecv(fd, &m, 5000), 0);
		close(fd);
		assert_serving();
	}
}

static void test_dribbled_request(void **state)
{
	static const char msg[] = "/alive\0";
	struct xs_msg_hdr hdr = {XS_READ, 77, 0, sizeof(msg) - 1};
	char buf[sizeof(hdr) + sizeof(msg) - 1];
	struct xmsg m;
	int fd = xconn(&dp);

	assert_serving();
	memcpy(buf, &hdr, sizeof(hdr));
	memcpy(buf + sizeof(hdr), msg, sizeof(msg) - 1);
	for (size_t i = 0; i < sizeof(buf); i++) {
		assert_int_equal(xsend_raw(fd, buf + i, 1), 0);
		usleep(1000);
	}
	assert_int_equal(xrecv(fd, &m, 5000), 1);
	assert_int_equal(m.hdr.req_id, 77);
	assert_int_equal(m.hdr.type, XS_READ);
	assert_memory_equal(m.payload, "yes", 3);
	close(fd);
}

static void test_disconnect_mid_message(void **state)
{
	struct xs_msg_hdr hdr = {XS_WRITE, 1, 0, 100};
	int fd = xconn(&dp);

	assert_int_equal(xsend_raw(fd, &hdr, sizeof(hdr)), 0);
	assert_int_equal(xsend_raw(fd, "/half\0", 6), 0);
	close(fd);
	assert_serving();
	/* Nothing of the half message was applied. */
	struct xmsg m;
	fd = xconn(&dp);
	assert_int_equal(XREQ(fd, XS_READ, 0, "/half\0", &m), 0);
	assert_int_equal(m.hdr.type, XS_ERROR);
	assert_string_equal(m.payload, "ENOENT");
	close(fd);
}

static void test_never_reads_replies(void **state)
{
	char big[3000 + 8];
	struct xmsg m;
	int ctl = xconn(&dp);

	/* A node with a large value makes every reply large. */
	memcpy(big, "/big\0", 5);
	memset(big + 5, 'x', 3000);
	assert_int_equal(xreq(ctl, XS_WRITE, 0, big, 3005, &m), 0);
	assert_int_equal(m.hdr.type, XS_WRITE);

	long before = daemon_rss_kib();
	int fd = xconn(&dp);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	struct xs_msg_hdr hdr = {XS_READ, 1, 0, 5};
	char req[sizeof(hdr) + 5];
	memcpy(req, &hdr, sizeof(hdr));
	memcpy(req + sizeof(hdr), "/big\0", 5);
	size_t sent = 0;
	/* Send until the daemon stops taking requests from us. */
	for (int i = 0; i < 200000; i++) {
		ssize_t n = send(fd, req, sizeof(req), MSG_NOSIGNAL);
		if (n < 0 && errno == EAGAIN) {
			usleep(1000);
			n = send(fd, req, sizeof(req), MSG_NOSIGNAL);
			if (n < 0)
				break;
		}
		if (n < 0)
			break;
		sent++;
	}
	/* It stopped reading long before 200000 x 3 KB of replies. */
	assert_true(sent < 200000);
	/* Others are served meanwhile and memory stays bounded. */
	assert_int_equal(XREQ(ctl, XS_READ, 0, "/alive\0", &m), 0);
	assert_int_equal(m.hdr.type, XS_READ);
	long after = daemon_rss_kib();
	assert_true(after - before < 64 * 1024);
	close(fd);
	assert_serving();
	close(ctl);
}

static void test_huge_watch_token(void **state)
{
	char buf[XS_PAYLOAD_MAX];
	struct xmsg m;
	int w = xconn(&dp), ctl = xconn(&dp);

	/* Path and token fill the payload: the first event fits exactly,
	 * any event for a longer path cannot and must be dropped. */
	memcpy(buf, "/w\0", 3);
	memset(buf + 3, 't', XS_PAYLOAD_MAX - 4);
	buf[XS_PAYLOAD_MAX - 1] = '\0';
	assert_int_equal(xreq(w, XS_WATCH, 0, buf, XS_PAYLOAD_MAX, &m), 0);
	assert_int_equal(m.hdr.type, XS_WATCH);
	assert_int_equal(xrecv(w, &m, 5000), 1);
	assert_int_equal(m.hdr.type, XS_WATCH_EVENT);
	assert_int_equal(m.hdr.len, XS_PAYLOAD_MAX);
	assert_int_equal(XREQ(ctl, XS_WRITE, 0, "/w/child\0v", &m), 0);
	assert_int_equal(m.hdr.type, XS_WRITE);
	/* The watcher gets its next reply, with no event before it. */
	assert_int_equal(xsend(w, XS_READ, 5, 0, "/w/child\0", 9), 0);
	assert_int_equal(xrecv(w, &m, 5000), 1);
	assert_int_equal(m.hdr.type, XS_READ);
	close(w);
	close(ctl);
	assert_serving();
}

static void test_slow_watcher(void **state)
{
	struct xmsg m;
	int w = xconn(&dp), ctl = xconn(&dp);

	assert_int_equal(XREQ(w, XS_WATCH, 0, "/hot\0tok\0", &m), 0);
	/* The watcher never reads; the writer must never wait for it. */
	for (int i = 0; i < 20000; i++) {
		assert_int_equal(XREQ(ctl, XS_WRITE, 0, "/hot/k\0value", &m), 0);
		assert_int_equal(m.hdr.type, XS_WRITE);
	}
	close(w);
	close(ctl);
	assert_serving();
}

static void test_deep_tree(void **state)
{
	char path[XS_ABS_PATH_MAX + 1];
	struct xmsg m;
	int fd = xconn(&dp);
	size_t len = 0;

	/* 1500 levels of one-character names. */
	for (int i = 0; i < 1500; i++) {
		path[len++] = '/';
		path[len++] = 'd';
	}
	path[len++] = '\0';
	assert_int_equal(xreq(fd, XS_WRITE, 0, path, len, &m), 0);
	assert_int_equal(m.hdr.type, XS_WRITE);
	assert_int_equal(XREQ(fd, XS_CONTROL, 0, "check\0", &m), 0);
	assert_string_equal(m.payload, "OK");
	assert_int_equal(XREQ(fd, XS_RM, 0, "/d\0", &m), 0);
	assert_int_equal(m.hdr.type, XS_RM);
	assert_int_equal(XREQ(fd, XS_CONTROL, 0, "check\0", &m), 0);
	assert_string_equal(m.payload, "OK");
	close(fd);
	assert_serving();
}

static void test_many_connections(void **state)
{
	int fds[200];

	for (int i = 0; i < 200; i++) {
		fds[i] = xconn(&dp);
		assert_true(fds[i] >= 0);
	}
	for (int i = 0; i < 200; i++)
		close(fds[i]);
	assert_serving();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_truncated_header),
		cmocka_unit_test(test_oversized_lengths),
		cmocka_unit_test(test_dribbled_request),
		cmocka_unit_test(test_disconnect_mid_message),
		cmocka_unit_test(test_never_reads_replies),
		cmocka_unit_test(test_huge_watch_token),
		cmocka_unit_test(test_slow_watcher),
		cmocka_unit_test(test_deep_tree),
		cmocka_unit_test(test_many_connections),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
