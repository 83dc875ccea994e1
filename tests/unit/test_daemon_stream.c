/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of src/daemon/stream_write.c and stream_read.c, the state
 * stream of live update.  A daemon is given real state through real
 * requests on socketpair connections: nodes with permissions, a domain
 * with a quota override, watches (one with a depth, one relative), an open
 * transaction that read, wrote and removed, a second one whose snapshot
 * needs the history of a later write, a queued watch event and half a
 * request.  Its stream, loaded into a second daemon (which takes over the
 * same socket fds), must give a daemon whose own stream is byte for byte
 * the same, that passes CONTROL check, and that behaves as the first would
 * have: the queued event arrives, the half request completes, the first
 * transaction commits and the second fails with EAGAIN.  Also: the state
 * mode loads nodes and domains only, and malformed streams are refused
 * with a reason.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/codec.h"
#include "daemon/conn.h"
#include "daemon/daemon.h"
#include "daemon/store.h"
#include "daemon/stream.h"
#include "daemon/transport_sock.h"
#include "unit.h"

#define MSGS_MAX 64

struct msg {
	struct xs_msg_hdr hdr;
	char body[XS_PAYLOAD_MAX + 1];
};

/* Send one request (payload of len bytes) from the client end. */
static void send_req(int fd, uint32_t type, uint32_t req_id, uint32_t tx_id,
		     const char *payload, size_t len)
{
	struct xs_msg_hdr hdr;
	char buf[XS_HDR_SIZE + XS_PAYLOAD_MAX];

	xs_hdr_init(&hdr, type, req_id, tx_id, (uint32_t)len);
	memcpy(buf, &hdr, XS_HDR_SIZE);
	memcpy(buf + XS_HDR_SIZE, payload, len);
	assert_int_equal(send(fd, buf, XS_HDR_SIZE + len, 0),
			 (ssize_t)(XS_HDR_SIZE + len));
}

/* Let d read and handle what c's client sent. */
static void serve(struct daemon *d, struct conn *c)
{
	conn_on_readable(c);
	daemon_run_pending(d);
}

/* Every whole message waiting at the client end, in order. */
static size_t recv_all(int fd, struct msg *out, size_t max)
{
	static char buf[1 << 16];
	ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	size_t off = 0, count = 0;

	if (n <= 0)
		return 0;
	while ((size_t)n - off >= XS_HDR_SIZE && count < max) {
		memcpy(&out[count].hdr, buf + off, XS_HDR_SIZE);
		size_t len = out[count].hdr.len;
		assert_true((size_t)n - off >= XS_HDR_SIZE + len);
		memcpy(out[count].body, buf + off + XS_HDR_SIZE, len);
		out[count].body[len] = '\0';
		off += XS_HDR_SIZE + len;
		count++;
	}
	assert_int_equal(off, (size_t)n);
	return count;
}

/* One request, served; its reply (the last message) must be `want`. */
static void request(struct daemon *d, struct conn *c, int fd, uint32_t type,
		    uint32_t tx_id, const char *payload, size_t len,
		    const char *want)
{
	static struct msg m[MSGS_MAX];
	static uint32_t req_id = 100;

	send_req(fd, type, ++req_id, tx_id, payload, len);
	serve(d, c);
	size_t n = recv_all(fd, m, MSGS_MAX);
	for (size_t i = 0; i < n; i++) {
		if (m[i].hdr.type == XS_WATCH_EVENT)
			continue;
		assert_int_equal(m[i].hdr.req_id, req_id);
		assert_string_equal(m[i].body, want);
		return;
	}
	fail_msg("no reply to request %u", req_id);
}

#define REQ(d, c, fd, type, tx, lit, want) \
	request(d, c, fd, type, tx, lit, sizeof(lit), want)

static const struct caller dom0 = {.domid = 0, .target = ACL_NO_TARGET,
				   .privileged = true,
				   .features = DOMAIN_FEATURES_ALL};

struct fx {
	struct daemon a, b;
	bool a_up, b_up;
	int client[2], server[2]; /* [0] client end, [1] the daemon's */
	struct conn *ca[2];
	char *stream;
	size_t len;
};

static struct fx fx;

static int fx_setup(void **state)
{
	memset(&fx, 0, sizeof(fx));
	for (int i = 0; i < 2; i++) {
		int sv[2];
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) != 0)
			return -1;
		fx.client[i] = sv[0];
		fx.server[i] = sv[1];
	}
	*state = &fx;
	return 0;
}

static int fx_teardown(void **state)
{
	/* b took a's fds over: b closes them, a's later close is a no-op
	 * failure (EBADF) on numbers nothing else reused meanwhile. */
	if (fx.b_up)
		daemon_release(&fx.b);
	if (fx.a_up)
		daemon_release(&fx.a);
	for (int i = 0; i < 2; i++) {
		close(fx.client[i]);
		if (!fx.a_up)
			close(fx.server[i]);
	}
	free(fx.stream);
	return unit_teardown(state);
}

/* Build the state described at the top in fx.a. */
static void build_state(void)
{
	struct daemon *a = &fx.a;

	assert_int_equal(daemon_init(a), 0);
	fx.a_up = true;
	for (int i = 0; i < 2; i++) {
		fx.ca[i] = sock_conn_adopt(a, fx.server[i], &dom0);
		assert_non_null(fx.ca[i]);
	}
	struct conn *c = fx.ca[0], *c2 = fx.ca[1];
	int fd = fx.client[0], fd2 = fx.client[1];

	REQ(a, c, fd, XS_WRITE, 0, "/a/b\0v1", "OK");
	REQ(a, c, fd, XS_MKDIR, 0, "/a/c", "OK");
	REQ(a, c, fd, XS_WRITE, 0, "/a/d\0d0", "OK");
	REQ(a, c, fd, XS_SET_PERMS, 0, "/a/c\0b5\0r0", "OK");
	REQ(a, c, fd, XS_CONTROL, 0, "quota\0set\0nodes\0" "77\0" "5", "OK");
	REQ(a, c, fd, XS_WATCH, 0, "/a\0tok1", "OK");
	REQ(a, c, fd, XS_WATCH, 0, "/a/b\0tok2\0" "0", "OK");
	REQ(a, c2, fd2, XS_WATCH, 0, "@releaseDomain\0rel\0" "1", "OK");
	/* Transaction 1: reads /a/b, writes /a/t, removes /a/c. */
	REQ(a, c, fd, XS_TRANSACTION_START, 0, "", "1");
	REQ(a, c, fd, XS_READ, 1, "/a/b", "v1");
	REQ(a, c, fd, XS_WRITE, 1, "/a/t\0x", "OK");
	REQ(a, c, fd, XS_RM, 1, "/a/c", "OK");
	REQ(a, c, fd, XS_DIRECTORY, 1, "/a", "b");
	/* Transaction 1 of the second connection reads /a/d ... */
	REQ(a, c2, fd2, XS_TRANSACTION_START, 0, "", "1");
	REQ(a, c2, fd2, XS_READ, 1, "/a/d", "d0");
	REQ(a, c2, fd2, XS_WRITE, 1, "/a/e\0e", "OK");
	/* ... which then changes: history keeps what the snapshot saw. */
	REQ(a, c, fd, XS_WRITE, 0, "/a/d\0d1", "OK");
	REQ(a, c2, fd2, XS_READ, 1, "/a/d", "d0");
	/* Output waiting to be sent, and half a request waiting to come. */
	conn_queue_event(c, "/a/queued", "tokq");
	struct xs_msg_hdr hdr;
	char half[XS_HDR_SIZE + 3];
	xs_hdr_init(&hdr, XS_READ, 7777, 0, sizeof("/a/b"));
	memcpy(half, &hdr, XS_HDR_SIZE);
	memcpy(half + XS_HDR_SIZE, "/a/", 3);
	assert_int_equal(send(fd, half, sizeof(half), 0), (ssize_t)sizeof(half));
	conn_on_readable(c);
	assert_int_equal(c->rlen, sizeof(half));

	struct stream_save_opts o = {.live_update = true, .listen_fd = -1};
	assert_int_equal(stream_save_buf(a, &o, &fx.stream, &fx.len), 0);
}

static void load_b(enum stream_load_mode mode, struct stream_loaded *got)
{
	char err[256];

	assert_int_equal(daemon_init(&fx.b), 0);
	fx.b_up = true;
	int ret = stream_load_buf(&fx.b, fx.stream, fx.len, mode, got, err,
				  sizeof(err));
	if (ret)
		fail_msg("load: %s", err);
}

static struct conn *conn_of(struct daemon *d, uint32_t id)
{
	for (struct conn *c = d->conns; c; c = c->next)
		if (c->id == id)
			return c;
	return NULL;
}

static void test_round_trip_same_stream(void **state)
{
	struct stream_loaded got;
	char msg[256];
	char *again;
	size_t len;

	(void)state;
	build_state();
	load_b(STREAM_LOAD_LIVE, &got);
	assert_int_equal(got.conns, 2);
	assert_int_equal(got.watches, 3);
	assert_int_equal(got.txns, 2);
	assert_int_equal(got.skipped, 0);
	assert_int_equal(daemon_check(&fx.b, msg, sizeof(msg)), 0);

	struct stream_save_opts o = {.live_update = true, .listen_fd = -1};
	assert_int_equal(stream_save_buf(&fx.b, &o, &again, &len), 0);
	assert_int_equal(len, fx.len);
	assert_memory_equal(again, fx.stream, len);
	free(again);

	assert_int_equal(fx.b.store.gen, fx.a.store.gen);
	assert_int_equal(fx.b.store.count, fx.a.store.count);
	struct node *n = store_lookup(&fx.b.store, "/a/c");
	assert_non_null(n);
	assert_int_equal(n->nperms, 2);
	assert_int_equal(n->perms[0].domid, 5);
	assert_int_equal(n->perms[0].access, PERM_BOTH);
	uint32_t v;
	assert_int_equal(quota_domain_get(&fx.b, 5, Q_NODES, false, &v), 0);
	assert_int_equal(v, 77);
}

static void test_restored_daemon_behaves(void **state)
{
	static struct msg m[MSGS_MAX];
	struct stream_loaded got;
	struct daemon *b = &fx.b;
	int fd = fx.client[0], fd2 = fx.client[1];

	(void)state;
	build_state();
	load_b(STREAM_LOAD_LIVE, &got);
	struct conn *c = conn_of(b, fx.ca[0]->id), *c2 = conn_of(b, fx.ca[1]->id);
	assert_non_null(c);
	assert_non_null(c2);

	/* The queued event goes out first, then the completed request. */
	send(fd, "b", sizeof("b"), 0);
	serve(b, c);
	size_t n = recv_all(fd, m, MSGS_MAX);
	assert_int_equal(n, 2);
	assert_int_equal(m[0].hdr.type, XS_WATCH_EVENT);
	assert_memory_equal(m[0].body, "/a/queued\0tokq", sizeof("/a/queued\0tokq"));
	assert_int_equal(m[1].hdr.req_id, 7777);
	assert_string_equal(m[1].body, "v1");

	/* Transaction 1 commits: its write and removal apply, watches fire
	 * (tok1 on /a for both paths, tok2 with depth 0 not for /a/t). */
	send_req(fd, XS_TRANSACTION_END, 9, 1, "T", 2);
	serve(b, c);
	n = recv_all(fd, m, MSGS_MAX);
	assert_int_equal(n, 3);
	assert_int_equal(m[0].hdr.type, XS_WATCH_EVENT);
	assert_memory_equal(m[0].body, "/a/t\0tok1", sizeof("/a/t\0tok1"));
	assert_memory_equal(m[1].body, "/a/c\0tok1", sizeof("/a/c\0tok1"));
	assert_int_equal(m[2].hdr.req_id, 9);
	assert_string_equal(m[2].body, "OK");
	assert_non_null(store_lookup(&b->store, "/a/t"));
	assert_null(store_lookup(&b->store, "/a/c"));

	/* The second read /a/d, which changed after its start: EAGAIN. */
	send_req(fd2, XS_TRANSACTION_END, 10, 1, "T", 2);
	serve(b, c2);
	n = recv_all(fd2, m, MSGS_MAX);
	assert_int_equal(n, 1);
	assert_int_equal(m[0].hdr.type, XS_ERROR);
	assert_string_equal(m[0].body, "EAGAIN");
	assert_null(store_lookup(&b->store, "/a/e"));

	/* A new transaction gets the next id of its connection. */
	send_req(fd, XS_TRANSACTION_START, 11, 0, "", 1);
	serve(b, c);
	n = recv_all(fd, m, MSGS_MAX);
	assert_int_equal(n, 1);
	assert_string_equal(m[0].body, "2");

	char msg[256];
	assert_int_equal(daemon_check(b, msg, sizeof(msg)), 0);
}

static void test_state_mode_nodes_only(void **state)
{
	struct stream_loaded got;

	(void)state;
	build_state();
	load_b(STREAM_LOAD_STATE, &got);
	assert_int_equal(got.conns, 0);
	assert_int_equal(got.txns, 0);
	assert_null(fx.b.conns);
	assert_int_equal(fx.b.store.count, fx.a.store.count);
	struct node *n = store_lookup(&fx.b.store, "/a/d");
	assert_non_null(n);
	assert_memory_equal(n->value, "d1", 2);
	assert_false(history_active(&fx.b.store.hist));
	char msg[256];
	assert_int_equal(daemon_check(&fx.b, msg, sizeof(msg)), 0);
}

static void expect_refused(const char *buf, size_t len, const char *why)
{
	static struct daemon d;
	struct stream_loaded got;
	char err[256];

	assert_int_equal(daemon_init(&d), 0);
	assert_int_equal(stream_load_buf(&d, buf, len, STREAM_LOAD_STATE, &got,
					 err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, why));
	daemon_release(&d);
}

static void test_malformed_refused(void **state)
{
	(void)state;
	build_state();
	/* Cut anywhere inside the records: never loads. */
	expect_refused(fx.stream, fx.len - 8, "no END record");
	expect_refused(fx.stream, fx.len - 12, "runs past the end");
	expect_refused(fx.stream, 10, "too short");
	char *bad = unit_alloc(fx.len);
	memcpy(bad, fx.stream, fx.len);
	bad[0] = 'y';
	expect_refused(bad, fx.len, "not a xenstore stream");
	memcpy(bad, fx.stream, fx.len);
	bad[11] = 9;
	expect_refused(bad, fx.len, "version 9");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip_same_stream,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_restored_daemon_behaves,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_state_mode_nodes_only,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_malformed_refused, fx_setup,
						fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
