/* SPDX-License-Identifier: MIT */
/*
 * Tests of the library's guest ring transport (src/lib/transport_ring.c)
 * through the public API.  Each test builds a simulated-hypervisor layout
 * (docs/sim.md) in a private temp directory - DIR/dom5/ring, a zeroed
 * 4096-byte file, and the evtchn-up/evtchn-down FIFOs - points
 * XENSTORE_SIM_DIR/XENSTORE_SIM_DOMID at it, and runs a fake daemon side
 * in a thread: it maps the same file, takes requests off the request ring
 * in small pieces, and answers from a tiny in-memory store, in pieces too,
 * so that messages cross the ring's wrap-around point and need many
 * notifications.  Requests for a few special paths make it misbehave
 * (bad indexes, the error indicator).  Covers read, write, directory,
 * watches and their events, values larger than the ring, indexes that
 * wrap past 2^32, the reconnection wait at open, the ring reset at open
 * (nothing an earlier process left reaches the next), several threads
 * sharing the handle, closing while events pour in, broken daemons (EIO,
 * no hang), one handle per ring, and how xs_open() picks the transport.
 * Worker threads never call cmocka; every test is bounded by an alarm
 * that names the test that hung.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "xenstore.h"
#include "xenstore/wire.h"

#define DOMID 5
#define PAGE 4096
#define STORE_MAX 16
#define BIG 4000 /* a value bigger than either ring */

/* ---- the fake daemon side ---- */

struct entry {
	char key[64];
	unsigned int len;
	char val[XS_PAYLOAD_MAX];
};

struct fake {
	char dir[64];
	char domdir[96];
	char ring[128], up[128], down[128];
	struct xs_ring_page *page;
	int up_fd, down_fd; /* evtchn-up: we wait on it; evtchn-down: we notify */
	int stop_fd;	    /* eventfd: the test asks the thread to end */
	pthread_t thread;
	bool running;

	/* Set before the thread starts. */
	unsigned int req_chunk;	      /* most request bytes taken per step */
	unsigned int rsp_chunk;	      /* most reply bytes published per step */
	unsigned int reconnect_ms;    /* > 0: clear connection after this */

	/* The thread's own. */
	unsigned char msg[XS_HDR_SIZE + XS_PAYLOAD_MAX + 1]; /* + NUL */
	size_t have;
	struct entry store[STORE_MAX];
	unsigned int nstore;
	char watch_path[64], watch_token[64];
	bool watching;

	/* Atomic: read by the test thread at any time. */
	unsigned int requests;
	unsigned int notifies; /* on evtchn-down */
	unsigned int events;
	unsigned int protocol_errors; /* the guest broke the ring rules */
	unsigned int resets;	      /* reconnections served */
};

static struct fake *the_fake;

static uint32_t ld(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void st(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static void count(unsigned int *c)
{
	__atomic_fetch_add(c, 1, __ATOMIC_RELAXED);
}

static unsigned int counted(unsigned int *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

static void drain(int fd)
{
	char buf[64];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

static void fake_notify(struct fake *f)
{
	char c = 1;

	count(&f->notifies);
	if (write(f->down_fd, &c, 1) < 0 && errno != EAGAIN)
		abort();
}

/* Sleep until the guest notifies.  False when told to stop. */
static bool fake_wait(struct fake *f)
{
	struct pollfd pfd[2] = {
		{.fd = f->up_fd, .events = POLLIN},
		{.fd = f->stop_fd, .events = POLLIN},
	};

	while (poll(pfd, 2, -1) < 0)
		if (errno != EINTR)
			return false;
	return !(pfd[1].revents & POLLIN);
}

/* Put bytes on the response ring, piece by piece, waiting for space. */
static bool fake_put(struct fake *f, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		uint32_t prod, space, off, n, first;

		drain(f->up_fd);
		prod = ld(&f->page->rsp_prod);
		space = XS_RING_SIZE - (prod - ld(&f->page->rsp_cons));
		if (space > XS_RING_SIZE) {
			count(&f->protocol_errors);
			return false;
		}
		if (space == 0) {
			if (!fake_wait(f))
				return false;
			continue;
		}
		n = space < len ? space : (uint32_t)len;
		if (f->rsp_chunk && n > f->rsp_chunk)
			n = f->rsp_chunk;
		off = XS_RING_IDX(prod);
		first = XS_RING_SIZE - off < n ? XS_RING_SIZE - off : n;
		memcpy(f->page->rsp + off, p, first);
		memcpy(f->page->rsp, p + first, n - first);
		st(&f->page->rsp_prod, prod + n);
		fake_notify(f);
		p += n;
		len -= n;
	}
	return true;
}

static bool fake_send(struct fake *f, uint32_t type, uint32_t req_id,
		      const void *data, size_t len)
{
	unsigned char buf[XS_HDR_SIZE + XS_PAYLOAD_MAX];
	struct xs_msg_hdr hdr = {type, req_id, 0, (uint32_t)len};

	memcpy(buf, &hdr, sizeof(hdr));
	memcpy(buf + XS_HDR_SIZE, data, len);
	return fake_put(f, buf, XS_HDR_SIZE + len);
}

static bool fake_ok(struct fake *f, uint32_t type, uint32_t req_id)
{
	return fake_send(f, type, req_id, "OK", 3);
}

static bool fake_error(struct fake *f, uint32_t req_id, const char *name)
{
	return fake_send(f, XS_ERROR, req_id, name, strlen(name) + 1);
}

static bool fake_event(struct fake *f, const char *path, const char *token)
{
	char buf[256];
	size_t pl = strlen(path) + 1, tl = strlen(token) + 1;

	memcpy(buf, path, pl);
	memcpy(buf + pl, token, tl);
	count(&f->events);
	return fake_send(f, XS_WATCH_EVENT, 0, buf, pl + tl);
}

static struct entry *fake_lookup(struct fake *f, const char *key, bool add)
{
	for (unsigned int i = 0; i < f->nstore; i++)
		if (strcmp(f->store[i].key, key) == 0)
			return &f->store[i];
	if (!add || f->nstore == STORE_MAX || strlen(key) >= 64)
		return NULL;
	snprintf(f->store[f->nstore].key, 64, "%s", key);
	return &f->store[f->nstore++];
}

/* Answer the message in f->msg.  False when the thread should end. */
static bool fake_handle(struct fake *f)
{
	struct xs_msg_hdr hdr;
	const char *p = (const char *)f->msg + XS_HDR_SIZE;
	struct entry *e;
	size_t klen;

	memcpy(&hdr, f->msg, sizeof(hdr));
	count(&f->requests);
	switch (hdr.type) {
	case XS_READ:
		if (strcmp(p, "/bad-rsp") == 0) {
			/* Producer more than a ring ahead of the consumer. */
			st(&f->page->rsp_prod,
			   ld(&f->page->rsp_cons) + XS_RING_SIZE + 1);
			fake_notify(f);
			return true;
		}
		if (strcmp(p, "/bad-req") == 0) {
			/* Consumer ahead of the guest's producer. */
			st(&f->page->req_cons, ld(&f->page->req_cons) + 100);
			return fake_send(f, hdr.type, hdr.req_id, "x", 1);
		}
		if (strcmp(p, "/error") == 0) {
			st(&f->page->server_features,
			   ld(&f->page->server_features) | XS_FEATURE_ERROR);
			st(&f->page->error, XS_ERROR_RINGIDX);
			fake_notify(f);
			return true;
		}
		e = fake_lookup(f, p, false);
		if (!e)
			return fake_error(f, hdr.req_id, "ENOENT");
		return fake_send(f, hdr.type, hdr.req_id, e->val, e->len);
	case XS_WRITE:
		klen = strnlen(p, hdr.len);
		if (klen == hdr.len)
			return fake_error(f, hdr.req_id, "EINVAL");
		if (strcmp(p, "/flood") == 0) {
			/* Events without end, until the guest stops reading. */
			if (!fake_ok(f, hdr.type, hdr.req_id))
				return false;
			while (fake_event(f, "/flood", "flood"))
				;
			return false;
		}
		e = fake_lookup(f, p, true);
		if (!e)
			return fake_error(f, hdr.req_id, "ENOSPC");
		e->len = hdr.len - (unsigned int)klen - 1;
		memcpy(e->val, p + klen + 1, e->len);
		/* The event first: it must not be mistaken for the reply. */
		if (f->watching &&
		    strncmp(p, f->watch_path, strlen(f->watch_path)) == 0 &&
		    !fake_event(f, p, f->watch_token))
			return false;
		return fake_ok(f, hdr.type, hdr.req_id);
	case XS_DIRECTORY:
		if (strcmp(p, "/d") == 0)
			return fake_send(f, hdr.type, hdr.req_id, "a\0bb\0ccc", 9);
		return fake_error(f, hdr.req_id, "ENOENT");
	case XS_GET_DOMAIN_PATH:
		return fake_send(f, hdr.type, hdr.req_id, "/local/domain/5",
				 16);
	case XS_WATCH:
		klen = strlen(p) + 1;
		snprintf(f->watch_path, sizeof(f->watch_path), "%s", p);
		snprintf(f->watch_token, sizeof(f->watch_token), "%s",
			 p + klen);
		f->watching = true;
		/* Like the daemon: the reply, then the initial event. */
		return fake_ok(f, hdr.type, hdr.req_id) &&
		       fake_event(f, f->watch_path, f->watch_token);
	case XS_UNWATCH:
		f->watching = false;
		return fake_ok(f, hdr.type, hdr.req_id);
	default:
		return fake_error(f, hdr.req_id, "ENOSYS");
	}
}

/*
 * Take what the request ring holds (at most req_chunk bytes) towards the
 * message being gathered; answer it once whole.  Returns 1 on progress, 0
 * when the ring is empty, -1 when the thread should end.
 */
static int fake_step(struct fake *f)
{
	uint32_t cons = ld(&f->page->req_cons);
	uint32_t avail = ld(&f->page->req_prod) - cons;
	uint32_t need, off, first, n;
	struct xs_msg_hdr hdr;

	if (avail == 0)
		return 0;
	if (avail > XS_RING_SIZE) {
		count(&f->protocol_errors);
		return 0;
	}
	if (f->have < XS_HDR_SIZE) {
		need = XS_HDR_SIZE - (uint32_t)f->have;
	} else {
		memcpy(&hdr, f->msg, sizeof(hdr));
		need = XS_HDR_SIZE + hdr.len - (uint32_t)f->have;
	}
	n = avail < need ? avail : need;
	if (f->req_chunk && n > f->req_chunk)
		n = f->req_chunk;
	off = XS_RING_IDX(cons);
	first = XS_RING_SIZE - off < n ? XS_RING_SIZE - off : n;
	memcpy(f->msg + f->have, f->page->req + off, first);
	memcpy(f->msg + f->have + first, f->page->req, n - first);
	st(&f->page->req_cons, cons + n);
	fake_notify(f);
	f->have += n;
	if (f->have < XS_HDR_SIZE)
		return 1;
	memcpy(&hdr, f->msg, sizeof(hdr));
	if (hdr.len > XS_PAYLOAD_MAX) {
		count(&f->protocol_errors);
		return -1;
	}
	if (f->have < XS_HDR_SIZE + hdr.len)
		return 1;
	/* Payloads are strings; make sure p[] ends within the buffer. */
	f->msg[XS_HDR_SIZE + hdr.len] = '\0';
	f->have = 0;
	return fake_handle(f) ? 1 : -1;
}

static void *fake_main(void *arg)
{
	struct fake *f = arg;
	int ret;

	if (f->reconnect_ms) {
		struct timespec ts = {0, (long)f->reconnect_ms * 1000000L};

		nanosleep(&ts, NULL);
		st(&f->page->connection, XS_CONNECTED);
		fake_notify(f);
	}
	for (;;) {
		drain(f->up_fd);
		/* A guest's reconnection request, served as the daemon does. */
		if ((ld(&f->page->server_features) & XS_FEATURE_RECONNECTION) &&
		    ld(&f->page->connection) == XS_RECONNECT) {
			st(&f->page->req_cons, 0);
			st(&f->page->req_prod, 0);
			st(&f->page->rsp_cons, 0);
			st(&f->page->rsp_prod, 0);
			st(&f->page->error, XS_ERROR_NONE);
			f->have = 0;
			f->watching = false;
			st(&f->page->connection, XS_CONNECTED);
			count(&f->resets);
			fake_notify(f);
		}
		ret = fake_step(f);
		if (ret < 0 || (ret == 0 && !fake_wait(f)))
			break;
	}
	return NULL;
}

static void make_fifo(const char *path)
{
	assert_int_equal(mkfifo(path, 0600), 0);
}

/* The sim layout for domain DOMID, mapped, with the variables set. */
static struct fake *fake_new(void)
{
	struct fake *f = calloc(1, sizeof(*f));
	int fd;

	assert_non_null(f);
	f->up_fd = f->down_fd = f->stop_fd = -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_libring_XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->domdir, sizeof(f->domdir), "%s/dom%d", f->dir, DOMID);
	assert_int_equal(mkdir(f->domdir, 0700), 0);
	snprintf(f->ring, sizeof(f->ring), "%s/ring", f->domdir);
	snprintf(f->up, sizeof(f->up), "%s/evtchn-up", f->domdir);
	snprintf(f->down, sizeof(f->down), "%s/evtchn-down", f->domdir);
	make_fifo(f->up);
	make_fifo(f->down);
	fd = open(f->ring, O_RDWR | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, PAGE), 0);
	f->page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(f->page != MAP_FAILED);
	close(fd);
	f->up_fd = open(f->up, O_RDWR | O_NONBLOCK);
	f->down_fd = open(f->down, O_RDWR | O_NONBLOCK);
	f->stop_fd = eventfd(0, EFD_NONBLOCK);
	assert_true(f->up_fd >= 0 && f->down_fd >= 0 && f->stop_fd >= 0);
	/* Small pieces: messages cross the wrap point, many notifications. */
	f->req_chunk = 300;
	f->rsp_chunk = 100;
	setenv("XENSTORE_SIM_DIR", f->dir, 1);
	setenv("XENSTORE_SIM_DOMID", "5", 1);
	/* Nothing answers here: a wrong choice of transport fails. */
	setenv("XENSTORED_PATH", "/nonexistent/xenstored-socket", 1);
	the_fake = f;
	return f;
}

static void fake_start(struct fake *f)
{
	assert_int_equal(pthread_create(&f->thread, NULL, fake_main, f), 0);
	f->running = true;
}

static void fake_stop(struct fake *f)
{
	uint64_t one = 1;

	if (f->running) {
		assert_int_equal(write(f->stop_fd, &one, sizeof(one)),
				 (ssize_t)sizeof(one));
		pthread_join(f->thread, NULL);
		f->running = false;
	}
}

/* Also the teardown, so a failed assertion leaves nothing behind. */
static void fake_free(struct fake *f)
{
	fake_stop(f);
	munmap(f->page, PAGE);
	close(f->up_fd);
	close(f->down_fd);
	close(f->stop_fd);
	unlink(f->ring);
	unlink(f->up);
	unlink(f->down);
	rmdir(f->domdir);
	rmdir(f->dir);
	free(f);
	the_fake = NULL;
	unsetenv("XENSTORE_SIM_DIR");
	unsetenv("XENSTORE_SIM_DOMID");
	unsetenv("XENSTORED_PATH");
}

/*
 * Watchdog: a hang is a failure, named.  Each test runs with an alarm set;
 * its handler says which test hung and ends the program.
 */
#define TEST_TIMEOUT_S 30

static const char *volatile running_test;

static void on_alarm(int sig)
{
	static const char msg[] = "test_ring_transport: timed out in ";
	const char *name = running_test;

	bool said;

	(void)sig;
	said = write(STDERR_FILENO, msg, sizeof(msg) - 1) > 0 &&
	       write(STDERR_FILENO, name, strlen(name)) > 0 &&
	       write(STDERR_FILENO, "\n", 1) > 0;
	_exit(said ? 124 : 125);
}

static int setup(void **state)
{
	running_test = *state;
	fflush(stdout);
	alarm(TEST_TIMEOUT_S);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (the_fake)
		fake_free(the_fake);
	alarm(0);
	return 0;
}

#define ring_case(f) \
	cmocka_unit_test_prestate_setup_teardown(f, setup, teardown, #f)

static struct xs_handle *open_started(struct fake *f)
{
	struct xs_handle *h;

	fake_start(f);
	h = xs_open(0);
	assert_non_null(h);
	return h;
}

static void fill(char *buf, size_t len, unsigned int seed)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (char)('a' + (i * 7 + seed) % 26);
}

/* Write a value and read it back through the handle. */
static void round_trip(struct xs_handle *h, const char *path, size_t len,
		       unsigned int seed)
{
	char *val = malloc(len + 1), *got;
	unsigned int got_len = 0;

	assert_non_null(val);
	fill(val, len, seed);
	assert_true(xs_write(h, XBT_NULL, path, val, (unsigned int)len));
	got = xs_read(h, XBT_NULL, path, &got_len);
	assert_non_null(got);
	assert_int_equal(got_len, len);
	assert_memory_equal(got, val, len);
	free(got);
	free(val);
}

/* ---- tests ---- */

static void test_basic(void **state)
{
	struct fake *f = fake_new();
	struct xs_handle *h = open_started(f);
	unsigned int len = 0, num = 0;
	char *v, **names;

	(void)state;
	assert_true(xs_write(h, XBT_NULL, "/a", "hello", 5));
	v = xs_read(h, XBT_NULL, "/a", &len);
	assert_non_null(v);
	assert_int_equal(len, 5);
	assert_string_equal(v, "hello");
	free(v);

	errno = 0;
	assert_null(xs_read(h, XBT_NULL, "/missing", &len));
	assert_int_equal(errno, ENOENT);

	names = xs_directory(h, XBT_NULL, "/d", &num);
	assert_non_null(names);
	assert_int_equal(num, 3);
	assert_string_equal(names[0], "a");
	assert_string_equal(names[1], "bb");
	assert_string_equal(names[2], "ccc");
	free(names);

	v = xs_get_domain_path(h, DOMID);
	assert_non_null(v);
	assert_string_equal(v, "/local/domain/5");
	free(v);

	xs_close(h);
	assert_int_equal(counted(&f->requests), 5);
	assert_int_equal(counted(&f->protocol_errors), 0);
	fake_free(f);
}

static void test_watch(void **state)
{
	struct fake *f = fake_new();
	struct xs_handle *h = open_started(f);
	struct pollfd pfd;
	unsigned int num;
	char **ev;

	(void)state;
	assert_true(xs_watch(h, "/w", "tok"));
	/* The initial event, through the xs_fileno() pipe too. */
	pfd.fd = xs_fileno(h);
	pfd.events = POLLIN;
	assert_true(pfd.fd >= 0);
	assert_int_equal(poll(&pfd, 1, 10000), 1);
	ev = xs_read_watch(h, &num);
	assert_non_null(ev);
	assert_string_equal(ev[XS_WATCH_PATH], "/w");
	assert_string_equal(ev[XS_WATCH_TOKEN], "tok");
	free(ev);

	/* Events sent before each reply are queued in order. */
	for (int i = 0; i < 5; i++) {
		char path[32];

		snprintf(path, sizeof(path), "/w/%d", i);
		assert_true(xs_write(h, XBT_NULL, path, "x", 1));
	}
	for (int i = 0; i < 5; i++) {
		char path[32];

		snprintf(path, sizeof(path), "/w/%d", i);
		ev = xs_read_watch(h, &num);
		assert_non_null(ev);
		assert_string_equal(ev[XS_WATCH_PATH], path);
		assert_string_equal(ev[XS_WATCH_TOKEN], "tok");
		free(ev);
	}
	assert_null(xs_check_watch(h));
	assert_int_equal(errno, EAGAIN);
	assert_true(xs_unwatch(h, "/w", "tok"));
	xs_close(h);
	assert_int_equal(counted(&f->protocol_errors), 0);
	fake_free(f);
}

/* Values bigger than the ring, in both directions, in small pieces. */
static void test_big_value(void **state)
{
	struct fake *f = fake_new();
	struct xs_handle *h = open_started(f);
	unsigned int before;

	(void)state;
	round_trip(h, "/big", BIG, 1);
	before = counted(&f->notifies);
	round_trip(h, "/big", BIG, 2);
	/* Over 8000 bytes each way: dozens of 100/300-byte steps. */
	assert_true(counted(&f->notifies) - before >= 40);
	/* The largest payload the protocol allows. */
	round_trip(h, "/b", XS_PAYLOAD_MAX - 3, 3);
	xs_close(h);
	assert_int_equal(counted(&f->protocol_errors), 0);
	fake_free(f);
}

/* Also whole-ring pieces (no chunking): the ring fills up completely. */
static void test_big_value_full_ring(void **state)
{
	struct fake *f = fake_new();
	struct xs_handle *h;

	(void)state;
	f->req_chunk = 0;
	f->rsp_chunk = 0;
	h = open_started(f);
	for (unsigned int i = 0; i < 10; i++)
		round_trip(h, "/big", BIG - 97 * i, i);
	xs_close(h);
	assert_int_equal(counted(&f->protocol_errors), 0);
	fake_free(f);
}

/* Indexes need not start at 0, and wrap past 2^32. */
static void test_index_wrap(void **state)
{
	struct fake *f = fake_new();
	struct xs_handle *h;

	(void)state;
	st(&f->page->req_cons, 0xfffffff0u);
	st(&f->page->req_prod, 0xfffffff0u);
	st(&f->page->rsp_cons, 0xfffffff0u);
	st(&f->page->rsp_prod, 0xfffffff0u);
	h = open_started(f);
	assert_true(xs_write(h, XBT_NULL, "/a", "0123456789", 10));
	round_trip(h, "/big", BIG, 4);
	/* Both streams went past 2^32 and on. */
	assert_true(ld(&f->page->req_prod) < 0x10000u);
	assert_true(ld(&f->page->rsp_prod) < 0x10000u);
	assert_int_equal(ld(&f->page->rsp_cons), ld(&f->page->rsp_prod));
	xs_close(h);
	assert_int_equal(counted(&f->protocol_errors), 0);
	fake_free(f);
}

/* A daemon-side producer index too far ahead: EIO, for good, no hang. */
static void test_bad_rsp_index(void **state)
{
	struct fake *f = fake_new();
	struct xs_handle *h = open_started(f);

	(void)state;
	round_trip(h, "/a", 10, 5);
	errno = 0;
	assert_null(xs_read(h, XBT_NULL, "/bad-rsp", NULL));
	assert_int_equal(errno, EIO);
	errno = 0;
	assert_null(xs_read(h, XBT_NULL, "/a", NULL));
	assert_int_equal(errno, EIO);
	xs_close(h);
	fake_free(f);
}

/* The same with the reader thread running: watchers learn it too. */
static void test_bad_rsp_index_reader(void **state)
{
	struct fake *f = fake_new();
	struct xs_handle *h = open_started(f);
	unsigned int num;
	char **ev;

	(void)state;
	assert_true(xs_watch(h, "/w", "t"));
	ev = xs_read_watch(h, &num);
	assert_non_null(ev);
	free(ev);
	errno = 0;
	assert_null(xs_read(h, XBT_NULL, "/bad-rsp", NULL));
	assert_int_equal(errno, EIO);
	errno = 0;
	assert_null(xs_read_watch(h, &num));
	assert_int_equal(errno, EIO);
	xs_close(h);
	fake_free(f);
}

/* A daemon-side consumer index ahead of our producer: the next send fails. */
static void test_bad_req_index(void **state)
{
	struct fake *f = fake_new();
	struct xs_handle *h = open_started(f);
	char *v;

	(void)state;
	v = xs_read(h, XBT_NULL, "/bad-req", NULL);
	assert_non_null(v);
	free(v);
	errno = 0;
	assert_false(xs_write(h, XBT_NULL, "/a", "b", 1));
	assert_int_equal(errno, EIO);
	xs_close(h);
	fake_free(f);
}

/* The connection error indicator, once advertised and set: EIO. */
static void test_error_indicator(void **state)
{
	struct fake *f = fake_new();
	struct xs_handle *h = open_started(f);

	(void)state;
	round_trip(h, "/a", 3, 6);
	errno = 0;
	assert_null(xs_read(h, XBT_NULL, "/error", NULL));
	assert_int_equal(errno, EIO);
	errno = 0;
	assert_false(xs_write(h, XBT_NULL, "/a", "b", 1));
	assert_int_equal(errno, EIO);
	xs_close(h);
	fake_free(f);
}

/* Set before the guest starts; and ignored unless the feature is on. */
static void test_error_indicator_at_open(void **state)
{
	struct fake *f = fake_new();
	struct xs_handle *h;

	(void)state;
	st(&f->page->error, XS_ERROR_COMMS);
	h = open_started(f);
	round_trip(h, "/a", 3, 7); /* no XS_FEATURE_ERROR: not an error */
	xs_close(h);

	st(&f->page->server_features, XS_FEATURE_ERROR);
	h = xs_open(0);
	assert_non_null(h);
	errno = 0;
	assert_null(xs_read(h, XBT_NULL, "/a", NULL));
	assert_int_equal(errno, EIO);
	xs_close(h);
	fake_free(f);
}

/* A reconnection in progress at open: wait until the daemon is done. */
static void test_reconnect_wait(void **state)
{
	struct fake *f = fake_new();
	struct timespec t0, t1;
	struct xs_handle *h;
	long ms;

	(void)state;
	st(&f->page->server_features, XS_FEATURE_RECONNECTION);
	st(&f->page->connection, XS_RECONNECT);
	f->reconnect_ms = 200;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	h = open_started(f);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 +
	     (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_true(ms >= 150);
	assert_int_equal(ld(&f->page->connection), XS_CONNECTED);
	round_trip(h, "/a", 20, 8);
	xs_close(h);
	fake_free(f);
}

struct worker {
	struct xs_handle *h;
	unsigned int id;
	unsigned int failures;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	char path[32], *val = malloc(2048), *got;
	unsigned int len;

	if (!val) {
		w->failures++;
		return NULL;
	}
	snprintf(path, sizeof(path), "/w/t%u", w->id);
	for (unsigned int i = 0; i < 40; i++) {
		size_t n = (i * 211 + w->id * 37) % 2000 + 1;

		fill(val, n, i + w->id);
		if (!xs_write(w->h, XBT_NULL, path, val, (unsigned int)n)) {
			w->failures++;
			continue;
		}
		got = xs_read(w->h, XBT_NULL, path, &len);
		if (!got || len != n || memcmp(got, val, n) != 0)
			w->failures++;
		free(got);
	}
	free(val);
	return NULL;
}

/*
 * Four threads share the handle while the reader thread delivers events:
 * requester and reader wait on the same event channel at the same time.
 */
static void test_threads(void **state)
{
	struct fake *f = fake_new();
	struct xs_handle *h = open_started(f);
	struct worker w[4];
	pthread_t t[4];
	unsigned int got = 0;
	char **ev;

	(void)state;
	assert_true(xs_watch(h, "/w", "tok"));
	for (unsigned int i = 0; i < 4; i++) {
		w[i] = (struct worker){.h = h, .id = i};
		assert_int_equal(pthread_create(&t[i], NULL, worker_main,
						&w[i]), 0);
	}
	for (unsigned int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(w[i].failures, 0);
	}
	/* The initial event and one per write, none lost. */
	while ((ev = xs_check_watch(h)) != NULL) {
		got++;
		free(ev);
	}
	assert_int_equal(got, 1 + 4 * 40);
	assert_int_equal(counted(&f->events), got);
	xs_close(h);
	assert_int_equal(counted(&f->protocol_errors), 0);
	fake_free(f);
}

/* xs_close() stops the reader thread even while events pour in. */
static void test_close_while_flooded(void **state)
{
	struct fake *f = fake_new();
	struct xs_handle *h;
	unsigned int num;
	char **ev;

	(void)state;
	f->rsp_chunk = 0;
	h = open_started(f);
	assert_true(xs_watch(h, "/w", "tok"));
	assert_true(xs_write(h, XBT_NULL, "/flood", "1", 1));
	for (int i = 0; i < 200; i++) {
		ev = xs_read_watch(h, &num);
		assert_non_null(ev);
		free(ev);
	}
	xs_close(h);
	assert_true(counted(&f->events) >= 200);
	fake_free(f);
}

/*
 * A new process of the guest starts on a fresh ring when the daemon offers
 * reconnection: what an earlier one left (an unread reply, half a request,
 * a watch) is reset away and never taken for this process's own.
 */
static void test_reset_on_open(void **state)
{
	struct fake *f = fake_new();
	struct xs_msg_hdr stale = {XS_READ, 1, 0, 6};
	struct xs_handle *h;
	unsigned int len, num;
	char *v, **ev;

	(void)state;
	st(&f->page->server_features, XS_FEATURE_RECONNECTION);
	/* An unread reply to req_id 1, and 7 bytes of a request. */
	memcpy(f->page->rsp + 100, &stale, sizeof(stale));
	memcpy(f->page->rsp + 100 + XS_HDR_SIZE, "stale", 6);
	st(&f->page->rsp_cons, 100);
	st(&f->page->rsp_prod, 100 + XS_HDR_SIZE + 6);
	st(&f->page->req_cons, 500);
	st(&f->page->req_prod, 507);
	h = open_started(f);
	assert_int_equal(counted(&f->resets), 1);
	assert_int_equal(ld(&f->page->connection), XS_CONNECTED);
	v = xs_read(h, XBT_NULL, "/a", &len);
	assert_null(v);
	assert_int_equal(errno, ENOENT);
	assert_true(xs_write(h, XBT_NULL, "/a", "fresh", 5));
	v = xs_read(h, XBT_NULL, "/a", &len);
	assert_non_null(v);
	assert_string_equal(v, "fresh");
	free(v);
	/* A watch of this process, with an event left unread at exit. */
	assert_true(xs_watch(h, "/w", "tok"));
	xs_close(h);
	h = xs_open(0);
	assert_non_null(h);
	assert_int_equal(counted(&f->resets), 2);
	round_trip(h, "/w/x", BIG, 11);
	/* The old watch went with the reset: no event, old or new. */
	assert_null(xs_check_watch(h));
	ev = xs_directory(h, XBT_NULL, "/d", &num);
	assert_non_null(ev);
	free(ev);
	assert_null(xs_check_watch(h));
	xs_close(h);
	assert_int_equal(counted(&f->protocol_errors), 0);
	fake_free(f);
}

/*
 * One ring, one handle: a second one is refused without touching the ring
 * (no reset under the first one's feet), then allowed again.
 */
static void test_one_handle_per_ring(void **state)
{
	struct fake *f = fake_new();
	struct xs_handle *h, *h2;

	(void)state;
	st(&f->page->server_features, XS_FEATURE_RECONNECTION);
	h = open_started(f);
	assert_int_equal(counted(&f->resets), 1);
	round_trip(h, "/a", 4, 8);
	errno = 0;
	assert_null(xs_open(0));
	assert_int_equal(errno, EBUSY);
	assert_int_equal(ld(&f->page->connection), XS_CONNECTED);
	round_trip(h, "/a", 4, 9);
	assert_int_equal(counted(&f->resets), 1);
	xs_close(h);
	h2 = xs_domain_open();
	assert_non_null(h2);
	assert_int_equal(counted(&f->resets), 2);
	round_trip(h2, "/a", 4, 10);
	xs_close(h2);
	fake_free(f);
}

/* Which transport xs_open() picks, and bad sim settings. */
static void test_choice(void **state)
{
	static const char *const bad_ids[] = {"0", "abc", "5x", "32752",
					       "-5", " 5", "99999999999999"};
	struct fake *f = fake_new();
	char path[160];
	int fd;

	(void)state;
	/* Socket only: the (missing) socket, never the ring. */
	errno = 0;
	assert_null(xs_open(XS_OPEN_SOCKETONLY));
	assert_int_equal(errno, ENOENT);
	unsetenv("XENSTORE_SIM_DOMID");
	errno = 0;
	assert_null(xs_open(0));
	assert_int_equal(errno, ENOENT);
	for (size_t i = 0; i < sizeof(bad_ids) / sizeof(bad_ids[0]); i++) {
		setenv("XENSTORE_SIM_DOMID", bad_ids[i], 1);
		errno = 0;
		assert_null(xs_open(0));
		assert_int_equal(errno, EINVAL);
	}
	/* A domain that does not exist. */
	setenv("XENSTORE_SIM_DOMID", "6", 1);
	errno = 0;
	assert_null(xs_domain_open());
	assert_int_equal(errno, ENOENT);
	assert_int_equal(ld(&f->page->req_prod), 0);

	/* A ring file shorter than a page. */
	snprintf(path, sizeof(path), "%s/dom7", f->dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/dom7/ring", f->dir);
	fd = open(path, O_RDWR | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 100), 0);
	setenv("XENSTORE_SIM_DOMID", "7", 1);
	errno = 0;
	assert_null(xs_open(0));
	assert_int_equal(errno, EINVAL);
	/* A whole page, but an event channel that is not a FIFO. */
	assert_int_equal(ftruncate(fd, PAGE), 0);
	close(fd);
	snprintf(path, sizeof(path), "%s/dom7/evtchn-up", f->dir);
	fd = open(path, O_RDWR | O_CREAT, 0600);
	assert_true(fd >= 0);
	close(fd);
	errno = 0;
	assert_null(xs_open(0));
	assert_int_equal(errno, EINVAL);
	unlink(path);
	snprintf(path, sizeof(path), "%s/dom7/ring", f->dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/dom7", f->dir);
	rmdir(path);
	fake_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		ring_case(test_basic),
		ring_case(test_watch),
		ring_case(test_big_value),
		ring_case(test_big_value_full_ring),
		ring_case(test_index_wrap),
		ring_case(test_bad_rsp_index),
		ring_case(test_bad_rsp_index_reader),
		ring_case(test_bad_req_index),
		ring_case(test_error_indicator),
		ring_case(test_error_indicator_at_open),
		ring_case(test_reconnect_wait),
		ring_case(test_threads),
		ring_case(test_close_while_flooded),
		ring_case(test_reset_on_open),
		ring_case(test_one_handle_per_ring),
		ring_case(test_choice),
	};

	signal(SIGALRM, on_alarm);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
