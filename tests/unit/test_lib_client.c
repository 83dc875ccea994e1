/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the client library (src/lib) against a scripted fake
 * daemon: a thread listening on a private Unix socket that answers each
 * request through a per-test handler.  Covers payload framing, error
 * names, the DIRECTORY_PART fallback, watch events arriving before a reply
 * (queued in order, with and without the reader thread), the xs_fileno()
 * pipe, XS_UNWATCH_FILTER, several threads sharing one handle, and broken
 * connections.  Worker threads never call cmocka: they count problems and
 * the test thread asserts on the counts.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "xenstore.h"
#include "xenstore/wire.h"
#include "unit.h"

/* ---- the fake daemon ---- */

struct fake;
typedef void fake_handler(struct fake *f, const struct xs_msg_hdr *hdr,
			  const char *payload);

struct fake {
	char dir[64];
	char path[96];
	int listen_fd;
	int fd; /* the accepted connection; -1 once closed */
	pthread_t thread;
	fake_handler *handler;
	/* Touched only by the fake's thread until it has been joined. */
	unsigned int requests;
	unsigned int events_sent;
	uint32_t rng;
	char last[XS_PAYLOAD_MAX + 1]; /* payload of the last request */
	uint32_t last_len, last_tx;
};

static struct fake *the_fake;

static int read_exact(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);

		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void fake_send(struct fake *f, uint32_t type, uint32_t req_id,
		      uint32_t tx_id, const void *data, size_t len)
{
	char buf[XS_HDR_SIZE + XS_PAYLOAD_MAX];
	struct xs_msg_hdr hdr = {type, req_id, tx_id, (uint32_t)len};

	memcpy(buf, &hdr, sizeof(hdr));
	memcpy(buf + XS_HDR_SIZE, data, len);
	if (write(f->fd, buf, XS_HDR_SIZE + len) != (ssize_t)(XS_HDR_SIZE + len))
		abort();
}

static void fake_reply(struct fake *f, const struct xs_msg_hdr *req,
		       const void *data, size_t len)
{
	fake_send(f, req->type, req->req_id, req->tx_id, data, len);
}

static void fake_error(struct fake *f, const struct xs_msg_hdr *req,
		       const char *name)
{
	fake_send(f, XS_ERROR, req->req_id, req->tx_id, name, strlen(name) + 1);
}

static void fake_event(struct fake *f, const char *path, const char *token)
{
	char buf[256];
	size_t pl = strlen(path) + 1, tl = strlen(token) + 1;

	memcpy(buf, path, pl);
	memcpy(buf + pl, token, tl);
	fake_send(f, XS_WATCH_EVENT, 0, 0, buf, pl + tl);
	f->events_sent++;
}

static void *fake_main(void *arg)
{
	struct fake *f = arg;
	struct xs_msg_hdr hdr;

	f->fd = accept(f->listen_fd, NULL, NULL);
	if (f->fd < 0)
		return NULL;
	while (f->fd >= 0 && read_exact(f->fd, &hdr, sizeof(hdr)) == 0) {
		if (hdr.len > XS_PAYLOAD_MAX ||
		    read_exact(f->fd, f->last, hdr.len) != 0)
			break;
		f->last[hdr.len] = '\0';
		f->last_len = hdr.len;
		f->last_tx = hdr.tx_id;
		f->requests++;
		f->handler(f, &hdr, f->last);
	}
	if (f->fd >= 0)
		close(f->fd);
	return NULL;
}

/* Start a fake daemon and point XENSTORED_PATH at it. */
static struct fake *fake_start(fake_handler *handler)
{
	struct fake *f = calloc(1, sizeof(*f));
	struct sockaddr_un addr = {.sun_family = AF_UNIX};

	assert_non_null(f);
	f->handler = handler;
	f->rng = 12345;
	f->fd = -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_lib_XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/sock", f->dir);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", f->path);
	f->listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(f->listen_fd >= 0);
	assert_int_equal(bind(f->listen_fd, (struct sockaddr *)&addr,
			      sizeof(addr)), 0);
	assert_int_equal(listen(f->listen_fd, 1), 0);
	assert_int_equal(pthread_create(&f->thread, NULL, fake_main, f), 0);
	setenv("XENSTORED_PATH", f->path, 1);
	the_fake = f;
	return f;
}

/* Wait for the fake to see the connection close, then clean up. */
static void fake_stop(struct fake *f)
{
	pthread_join(f->thread, NULL);
	close(f->listen_fd);
	unlink(f->path);
	rmdir(f->dir);
	free(f);
	the_fake = NULL;
}

/* Teardown that also stops a fake left behind by a failed assertion. */
static int lib_teardown(void **state)
{
	if (the_fake) {
		/* The handle was leaked with the failure; unblock the fake. */
		if (the_fake->fd >= 0)
			shutdown(the_fake->fd, SHUT_RDWR);
		fake_stop(the_fake);
	}
	return unit_teardown(state);
}

#define lib_case(f) cmocka_unit_test_teardown(f, lib_teardown)

/* ---- a well-behaved daemon ---- */

static void basic_handler(struct fake *f, const struct xs_msg_hdr *hdr,
			  const char *p)
{
	switch (hdr->type) {
	case XS_READ:
		if (strcmp(p, "/a") == 0)
			fake_reply(f, hdr, "va\0lue", 6);
		else if (strcmp(p, "/empty") == 0)
			fake_reply(f, hdr, "", 0);
		else
			fake_error(f, hdr, "ENOENT");
		break;
	case XS_DIRECTORY:
		if (strcmp(p, "/d") == 0)
			fake_reply(f, hdr, "x\0yy\0zzz", 8);
		else
			fake_reply(f, hdr, "", 0);
		break;
	case XS_GET_PERMS:
		fake_reply(f, hdr, "n0\0r5\0b0x10", 12);
		break;
	case XS_TRANSACTION_START:
		fake_reply(f, hdr, "42", 3);
		break;
	case XS_IS_DOMAIN_INTRODUCED:
		fake_reply(f, hdr, strcmp(p, "7") == 0 ? "T" : "F", 2);
		break;
	case XS_GET_DOMAIN_PATH:
		fake_reply(f, hdr, "/local/domain/7", 16);
		break;
	case XS_CONTROL:
		fake_reply(f, hdr, "done", 5);
		break;
	case XS_WATCH:
		fake_reply(f, hdr, "OK", 3);
		fake_event(f, p, p + strlen(p) + 1);
		break;
	case XS_RM:
		fake_error(f, hdr, "EACCES");
		break;
	case XS_MKDIR:
		fake_error(f, hdr, "ENOTANERROR");
		break;
	default:
		fake_reply(f, hdr, "OK", 3);
	}
}

static void test_read_write(void **state)
{
	struct fake *f = fake_start(basic_handler);
	struct xs_handle *h = xs_open(0);
	unsigned int len = 99;
	char *v;

	assert_non_null(h);
	v = xs_read(h, XBT_NULL, "/a", &len);
	assert_non_null(v);
	assert_int_equal(len, 6);
	assert_memory_equal(v, "va\0lue", 7); /* NUL appended */
	free(v);

	v = xs_read(h, XBT_NULL, "/empty", NULL);
	assert_non_null(v);
	assert_string_equal(v, "");
	free(v);

	errno = 0;
	assert_null(xs_read(h, XBT_NULL, "/nope", &len));
	assert_int_equal(errno, ENOENT);

	assert_true(xs_write(h, 5, "/w", "a\0b", 3));
	assert_int_equal(the_fake->last_len, 6);
	assert_memory_equal(the_fake->last, "/w\0a\0b", 6);
	assert_int_equal(the_fake->last_tx, 5);

	assert_false(xs_rm(h, XBT_NULL, "/x"));
	assert_int_equal(errno, EACCES);
	/* Unknown error names become EINVAL, as in Xen's library. */
	assert_false(xs_mkdir(h, XBT_NULL, "/x"));
	assert_int_equal(errno, EINVAL);
	xs_close(h);
	fake_stop(f);
}

static void test_directory_and_perms(void **state)
{
	struct fake *f = fake_start(basic_handler);
	struct xs_handle *h = xs_open(0);
	struct xs_permissions *perms;
	unsigned int num = 99;
	char **list;

	assert_non_null(h);
	list = xs_directory(h, XBT_NULL, "/d", &num);
	assert_non_null(list);
	/* "zzz" lacks its NUL: like Xen, only terminated names count. */
	assert_int_equal(num, 2);
	assert_string_equal(list[0], "x");
	assert_string_equal(list[1], "yy");
	free(list);

	list = xs_directory(h, XBT_NULL, "/leaf", &num);
	assert_non_null(list);
	assert_int_equal(num, 0);
	free(list);

	perms = xs_get_permissions(h, XBT_NULL, "/d", &num);
	assert_non_null(perms);
	assert_int_equal(num, 3);
	assert_int_equal(perms[0].id, 0);
	assert_int_equal(perms[0].perms, XS_PERM_NONE);
	assert_int_equal(perms[1].id, 5);
	assert_int_equal(perms[1].perms, XS_PERM_READ);
	assert_int_equal(perms[2].id, 16); /* strtol base 0, as Xen */
	assert_int_equal(perms[2].perms, XS_PERM_READ | XS_PERM_WRITE);
	free(perms);

	struct xs_permissions set[3] = {
		{0, XS_PERM_NONE}, {5, XS_PERM_READ},
		{9, XS_PERM_READ | XS_PERM_WRITE},
	};
	assert_true(xs_set_permissions(h, XBT_NULL, "/p", set, 3));
	assert_int_equal(the_fake->last_len, 12);
	assert_memory_equal(the_fake->last, "/p\0n0\0r5\0b9\0", 12);

	unsigned int before = the_fake->requests;
	set[1].perms = XS_PERM_OWNER;
	assert_false(xs_set_permissions(h, XBT_NULL, "/p", set, 3));
	assert_int_equal(errno, EINVAL);
	assert_int_equal(the_fake->requests, before);
	xs_close(h);
	fake_stop(f);
}

static void test_transactions_and_domains(void **state)
{
	struct fake *f = fake_start(basic_handler);
	struct xs_handle *h = xs_open(0);
	char *s;

	assert_non_null(h);
	assert_int_equal(xs_transaction_start(h), 42);
	assert_memory_equal(the_fake->last, "", 1);
	assert_true(xs_transaction_end(h, 42, false));
	assert_int_equal(the_fake->last_tx, 42);
	assert_memory_equal(the_fake->last, "T", 2);
	assert_true(xs_transaction_end(h, 42, true));
	assert_memory_equal(the_fake->last, "F", 2);

	assert_true(xs_introduce_domain(h, 3, 0x12345, 7));
	assert_int_equal(the_fake->last_len, 2 + 6 + 2);
	assert_memory_equal(the_fake->last, "3\00074565\0007", 10);
	assert_true(xs_set_target(h, 3, 4));
	assert_memory_equal(the_fake->last, "3\0004", 4);
	assert_true(xs_release_domain(h, 3));
	assert_true(xs_resume_domain(h, 3));
	assert_true(xs_is_domain_introduced(h, 7));
	assert_false(xs_is_domain_introduced(h, 8));
	s = xs_get_domain_path(h, 7);
	assert_non_null(s);
	assert_string_equal(s, "/local/domain/7");
	free(s);
	s = xs_control_command(h, "print", "hi", 3);
	assert_non_null(s);
	assert_string_equal(s, "done");
	assert_memory_equal(the_fake->last, "print\0hi", 9);
	free(s);
	s = xs_debug_command(h, "help", NULL, 0);
	assert_non_null(s);
	assert_memory_equal(the_fake->last, "help", 5);
	free(s);
	assert_false(xs_restrict(h, 1));
	xs_close(h);
	fake_stop(f);
}

static void test_payload_too_big(void **state)
{
	struct fake *f = fake_start(basic_handler);
	struct xs_handle *h = xs_open(0);
	char *big = unit_alloc(XS_PAYLOAD_MAX);

	assert_non_null(h);
	memset(big, 'v', XS_PAYLOAD_MAX);
	/* "/w\0" plus 4094 bytes is exactly the limit. */
	assert_true(xs_write(h, XBT_NULL, "/w", big, XS_PAYLOAD_MAX - 3));
	assert_false(xs_write(h, XBT_NULL, "/w", big, XS_PAYLOAD_MAX - 2));
	assert_int_equal(errno, E2BIG);
	assert_int_equal(the_fake->requests, 1);
	/* The connection is still fine. */
	assert_true(xs_write(h, XBT_NULL, "/w", "x", 1));
	xs_close(h);
	fake_stop(f);
}

/* ---- DIRECTORY_PART ---- */

#define PART_NAMES 300u
#define PART_CHUNK 100u

/* The full list, "name000\0name001\0...", into buf (size bytes). */
static size_t part_list(char *buf, size_t size)
{
	size_t len = 0;

	for (unsigned int i = 0; i < PART_NAMES; i++)
		len += (size_t)snprintf(buf + len, size - len, "name%03u", i) + 1;
	return len;
}

/* DIRECTORY is "too big"; pieces come with generation 7, except that the
 * second piece of the first pass claims generation 8 (node changed). */
static void part_handler(struct fake *f, const struct xs_msg_hdr *hdr,
			 const char *p)
{
	char list[PART_NAMES * 8 + 1], out[XS_PAYLOAD_MAX];
	size_t len, off, n;
	const char *gen;

	if (hdr->type == XS_DIRECTORY) {
		fake_error(f, hdr, "E2BIG");
		return;
	}
	if (strcmp(p, "/none") == 0) {
		fake_error(f, hdr, "ENOSYS");
		return;
	}
	len = part_list(list, sizeof(list));
	list[len++] = '\0'; /* the empty name that ends the list */
	off = strtoul(p + strlen(p) + 1, NULL, 10);
	gen = f->requests == 3 ? "8" : "7";
	n = len - off < PART_CHUNK ? len - off : PART_CHUNK;
	memcpy(out, gen, 2);
	memcpy(out + 2, list + off, n);
	fake_reply(f, hdr, out, n + 2);
}

static void test_directory_part(void **state)
{
	struct fake *f = fake_start(part_handler);
	struct xs_handle *h = xs_open(0);
	char name[16];
	unsigned int num = 0;
	char **list;

	assert_non_null(h);
	list = xs_directory(h, XBT_NULL, "/big", &num);
	assert_non_null(list);
	assert_int_equal(num, PART_NAMES);
	for (unsigned int i = 0; i < PART_NAMES; i++) {
		snprintf(name, sizeof(name), "name%03u", i);
		assert_string_equal(list[i], name);
	}
	free(list);
	/* A daemon without DIRECTORY_PART: E2BIG stays the answer. */
	assert_null(xs_directory(h, XBT_NULL, "/none", &num));
	assert_int_equal(errno, E2BIG);
	xs_close(h);
	fake_stop(f);
}

/* ---- watch events ---- */

/* Every READ is preceded by three events "/ev/<n>" (token "tok"). */
static void events_handler(struct fake *f, const struct xs_msg_hdr *hdr,
			   const char *p)
{
	char path[32];

	if (hdr->type == XS_READ) {
		for (int i = 0; i < 3; i++) {
			snprintf(path, sizeof(path), "/ev/%u", f->events_sent);
			fake_event(f, path, "tok");
		}
	}
	basic_handler(f, hdr, p);
}

static void expect_event(struct xs_handle *h, bool blocking, const char *path,
			 const char *token)
{
	unsigned int num = 0;
	char **vec = blocking ? xs_read_watch(h, &num) : xs_check_watch(h);

	assert_non_null(vec);
	if (blocking)
		assert_true(num >= 2);
	assert_string_equal(vec[XS_WATCH_PATH], path);
	assert_string_equal(vec[XS_WATCH_TOKEN], token);
	free(vec);
}

static void test_events_before_reply(void **state)
{
	struct fake *f = fake_start(events_handler);
	struct xs_handle *h = xs_open(0);
	struct pollfd pfd;
	char *v;

	assert_non_null(h);
	/* No watch yet: no reader thread, the requester queues events. */
	v = xs_read(h, XBT_NULL, "/a", NULL);
	assert_non_null(v);
	free(v);
	pfd.fd = xs_fileno(h);
	assert_true(pfd.fd >= 0);
	pfd.events = POLLIN;
	assert_int_equal(poll(&pfd, 1, 0), 1);
	expect_event(h, false, "/ev/0", "tok");
	expect_event(h, true, "/ev/1", "tok");
	assert_int_equal(poll(&pfd, 1, 0), 1);
	expect_event(h, false, "/ev/2", "tok");
	assert_null(xs_check_watch(h));
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(poll(&pfd, 1, 0), 0);

	/* With the reader thread running. */
	assert_true(xs_watch(h, "/w", "wt"));
	expect_event(h, true, "/w", "wt");
	v = xs_read(h, XBT_NULL, "/a", NULL);
	assert_non_null(v);
	free(v);
	assert_int_equal(poll(&pfd, 1, 1000), 1);
	expect_event(h, true, "/ev/4", "tok");
	expect_event(h, true, "/ev/5", "tok");
	expect_event(h, true, "/ev/6", "tok");
	assert_int_equal(poll(&pfd, 1, 0), 0);
	xs_close(h);
	fake_stop(f);
}

/* UNWATCH is answered after three stale events. */
static void unwatch_handler(struct fake *f, const struct xs_msg_hdr *hdr,
			    const char *p)
{
	if (hdr->type == XS_UNWATCH) {
		fake_event(f, "/w/x", "t");
		fake_event(f, "/other", "t");
		fake_event(f, "/w", "u");
		fake_event(f, "/wx", "t");
	}
	basic_handler(f, hdr, p);
}

static void unwatch_case(unsigned long flags, bool filtered)
{
	struct fake *f = fake_start(unwatch_handler);
	struct xs_handle *h = xs_open(flags);

	assert_non_null(h);
	assert_true(xs_unwatch(h, "/w", "t"));
	if (!filtered)
		expect_event(h, false, "/w/x", "t");
	expect_event(h, false, "/other", "t");
	expect_event(h, false, "/w", "u");
	expect_event(h, false, "/wx", "t");
	assert_null(xs_check_watch(h));
	assert_int_equal(errno, EAGAIN);
	xs_close(h);
	fake_stop(f);
}

static void test_unwatch_filter(void **state)
{
	unwatch_case(XS_UNWATCH_FILTER, true);
	unwatch_case(0, false);
}

/* ---- several threads on one handle ---- */

#define MT_THREADS 4
#define MT_READS 300

/* READ of any path answers the path itself, sometimes after an event
 * "/seq/<n>" numbered in sending order; "/end" sends the event "/end". */
static void mt_handler(struct fake *f, const struct xs_msg_hdr *hdr,
		       const char *p)
{
	char path[32];

	if (hdr->type != XS_READ) {
		basic_handler(f, hdr, p);
		return;
	}
	if (strcmp(p, "/end") == 0) {
		fake_event(f, "/end", "mt");
	} else {
		f->rng = f->rng * 1103515245u + 12345u;
		if ((f->rng >> 16) % 3 == 0) {
			snprintf(path, sizeof(path), "/seq/%u", f->events_sent);
			fake_event(f, path, "mt");
		}
	}
	fake_reply(f, hdr, p, strlen(p));
}

struct mt_arg {
	struct xs_handle *h;
	int id;
	int bad; /* replies that did not match */
};

static void *mt_reader(void *arg)
{
	struct mt_arg *a = arg;
	char path[32];

	for (int i = 0; i < MT_READS; i++) {
		unsigned int len;
		char *v;

		snprintf(path, sizeof(path), "/t%d/%d", a->id, i);
		v = xs_read(a->h, XBT_NULL, path, &len);
		if (!v || len != strlen(path) || strcmp(v, path) != 0)
			a->bad++;
		free(v);
	}
	return NULL;
}

struct mt_watcher {
	struct xs_handle *h;
	unsigned int seen;  /* /seq events seen */
	int out_of_order;
};

static void *mt_watch(void *arg)
{
	struct mt_watcher *w = arg;
	char want[32];

	for (;;) {
		unsigned int num;
		char **vec = xs_read_watch(w->h, &num);

		if (!vec) {
			w->out_of_order++;
			return NULL;
		}
		if (strcmp(vec[XS_WATCH_PATH], "/end") == 0) {
			free(vec);
			return NULL;
		}
		/* The first event is the one xs_watch fires. */
		if (strcmp(vec[XS_WATCH_PATH], "/seq") != 0) {
			snprintf(want, sizeof(want), "/seq/%u", w->seen + 1);
			if (strcmp(vec[XS_WATCH_PATH], want) != 0)
				w->out_of_order++;
			w->seen++;
		}
		free(vec);
	}
}

static void mt_run(bool with_reader_thread)
{
	struct fake *f = fake_start(mt_handler);
	struct xs_handle *h = xs_open(0);
	struct mt_arg args[MT_THREADS];
	pthread_t threads[MT_THREADS];
	struct mt_watcher w = {.h = h};
	pthread_t watcher;
	unsigned int sent;
	char *v;

	assert_non_null(h);
	if (with_reader_thread) {
		/* Event 0 is the watch's own; /seq/1 onwards follow. */
		assert_true(xs_watch(h, "/seq", "mt"));
		assert_int_equal(pthread_create(&watcher, NULL, mt_watch, &w), 0);
	}
	for (int i = 0; i < MT_THREADS; i++) {
		args[i] = (struct mt_arg){.h = h, .id = i};
		assert_int_equal(pthread_create(&threads[i], NULL, mt_reader,
						&args[i]), 0);
	}
	for (int i = 0; i < MT_THREADS; i++) {
		pthread_join(threads[i], NULL);
		assert_int_equal(args[i].bad, 0);
	}
	v = xs_read(h, XBT_NULL, "/end", NULL);
	assert_non_null(v);
	free(v);
	if (!with_reader_thread) {
		/* Events were queued by the requesters; drain them. */
		w.seen = 0;
		for (;;) {
			char **vec = xs_check_watch(h);

			assert_non_null(vec);
			if (strcmp(vec[XS_WATCH_PATH], "/end") == 0) {
				free(vec);
				break;
			}
			char want[32];
			snprintf(want, sizeof(want), "/seq/%u", w.seen);
			assert_string_equal(vec[XS_WATCH_PATH], want);
			w.seen++;
			free(vec);
		}
		assert_null(xs_check_watch(h));
	} else {
		pthread_join(watcher, NULL);
		assert_int_equal(w.out_of_order, 0);
	}
	xs_close(h);
	sent = f->events_sent;
	fake_stop(f);
	/* Every event but the watch's own and "/end" was a /seq one. */
	assert_int_equal(w.seen + 1 + (with_reader_thread ? 1 : 0), sent);
	assert_true(w.seen > 0);
}

static void test_threads_share_handle(void **state)
{
	mt_run(false);
	mt_run(true);
}

/* ---- broken daemons ---- */

static void close_handler(struct fake *f, const struct xs_msg_hdr *hdr,
			  const char *p)
{
	if (strcmp(p, "/close") == 0) {
		close(f->fd);
		f->fd = -1;
		return;
	}
	basic_handler(f, hdr, p);
}

static void test_connection_closed(void **state)
{
	struct fake *f = fake_start(close_handler);
	struct xs_handle *h = xs_open(0);
	unsigned int num;

	assert_non_null(h);
	assert_null(xs_read(h, XBT_NULL, "/close", NULL));
	assert_int_equal(errno, EBADF);
	assert_null(xs_read(h, XBT_NULL, "/a", NULL));
	assert_int_equal(errno, EBADF);
	assert_null(xs_read_watch(h, &num));
	xs_close(h);
	fake_stop(f);

	/* Same with the reader thread running. */
	f = fake_start(close_handler);
	h = xs_open(0);
	assert_non_null(h);
	assert_true(xs_watch(h, "/w", "t"));
	assert_null(xs_read(h, XBT_NULL, "/close", NULL));
	assert_int_equal(errno, EBADF);
	/* The queued event is still handed out, then the failure. */
	expect_event(h, true, "/w", "t");
	assert_null(xs_read_watch(h, &num));
	xs_close(h);
	fake_stop(f);
}

static void wrong_id_handler(struct fake *f, const struct xs_msg_hdr *hdr,
			     const char *p)
{
	if (hdr->type == XS_READ)
		fake_send(f, XS_READ, hdr->req_id + 1, 0, "x", 1);
	else if (hdr->type == XS_MKDIR)
		fake_send(f, XS_RM, hdr->req_id, 0, "OK", 3);
	else
		basic_handler(f, hdr, p);
}

static void test_reply_out_of_step(void **state)
{
	struct fake *f = fake_start(wrong_id_handler);
	struct xs_handle *h = xs_open(0);

	assert_non_null(h);
	assert_null(xs_read(h, XBT_NULL, "/a", NULL));
	assert_int_equal(errno, EBADF);
	xs_close(h);
	fake_stop(f);

	f = fake_start(wrong_id_handler);
	h = xs_open(0);
	assert_non_null(h);
	assert_false(xs_mkdir(h, XBT_NULL, "/a"));
	assert_int_equal(errno, EBADF);
	xs_close(h);
	fake_stop(f);
}

static void test_open_fails(void **state)
{
	setenv("XENSTORED_PATH", "/nonexistent/xenstored-socket", 1);
	errno = 0;
	assert_null(xs_open(0));
	assert_int_equal(errno, ENOENT);
}

/* ---- helpers without a connection ---- */

static void test_paths(void **state)
{
	setenv("XENSTORED_PATH", "/some/sock", 1);
	assert_string_equal(xs_daemon_socket(), "/some/sock");
	assert_string_equal(xs_daemon_socket_ro(), "/some/sock");
	unsetenv("XENSTORED_PATH");
	setenv("XENSTORED_RUNDIR", "/run/dir", 1);
	assert_string_equal(xs_daemon_rundir(), "/run/dir");
	assert_string_equal(xs_daemon_socket(), "/run/dir/socket");
	unsetenv("XENSTORED_RUNDIR");
	assert_string_equal(xs_daemon_rundir(), "/var/run/xenstored");
	assert_string_equal(xs_daemon_socket(), "/var/run/xenstored/socket");
}

static void test_subpath(void **state)
{
	assert_true(xs_path_is_subpath("/a", "/a"));
	assert_true(xs_path_is_subpath("/a", "/a/b"));
	assert_false(xs_path_is_subpath("/a", "/ab"));
	assert_false(xs_path_is_subpath("/a/b", "/a"));
	assert_false(xs_path_is_subpath("/a", "a/b"));
	assert_true(xs_path_is_subpath("", "/x"));
}

static void test_strings_to_perms(void **state)
{
	struct xs_permissions p[3];

	assert_true(xs_strings_to_perms(p, 3, "w1\0b22\0n0"));
	assert_int_equal(p[0].perms, XS_PERM_WRITE);
	assert_int_equal(p[0].id, 1);
	assert_int_equal(p[1].perms, XS_PERM_READ | XS_PERM_WRITE);
	assert_int_equal(p[1].id, 22);
	assert_int_equal(p[2].perms, XS_PERM_NONE);
	errno = 0;
	assert_false(xs_strings_to_perms(p, 1, "x1"));
	assert_int_equal(errno, EINVAL);
	assert_false(xs_strings_to_perms(p, 1, "r"));
	assert_false(xs_strings_to_perms(p, 1, "r1z"));
	assert_true(xs_strings_to_perms(p, 0, ""));
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		lib_case(test_read_write),
		lib_case(test_directory_and_perms),
		lib_case(test_transactions_and_domains),
		lib_case(test_payload_too_big),
		lib_case(test_directory_part),
		lib_case(test_events_before_reply),
		lib_case(test_unwatch_filter),
		lib_case(test_threads_share_handle),
		lib_case(test_connection_closed),
		lib_case(test_reply_out_of_step),
		lib_case(test_open_fails),
		unit_case(test_paths),
		unit_case(test_subpath),
		unit_case(test_strings_to_perms),
	};

	return cmocka_run_group_tests_name("lib_client", tests, NULL, NULL);
}
