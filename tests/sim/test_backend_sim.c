/* SPDX-License-Identifier: MIT */
/*
 * Unit test of the daemon's simulated-hypervisor backend
 * (src/daemon/backend_sim.c) on its own, without a daemon: each test gets
 * a fresh sim directory, lays out domains with the same file operations
 * xenstore-sim uses (docs/sim.md), plays the guest by hand on the FIFOs
 * and the ring file, and checks what the backend reports: mapping and
 * binding with right and wrong arguments, notifications both ways, the
 * backend fd's readability, fairness between ports, the virq and domain
 * states, and malformed files of every kind (which must fail cleanly and
 * never block).  When XENSTORE_SIM_BIN names the xenstore-sim binary, one
 * more test drives the backend through domains the tool made.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/backend.h"
#include "xenstore/wire.h"

#define GFN(n) (0x10000u + (n))

struct fx {
	char dir[64];
	struct backend *b;
};

/* ---- files of the sim directory ---- */

static void path_of(const struct fx *f, char *buf, size_t size,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void path_of(const struct fx *f, char *buf, size_t size,
		    const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(buf, size, "%s/", f->dir);

	assert_true(n > 0 && (size_t)n < size);
	va_start(ap, fmt);
	vsnprintf(buf + n, size - (size_t)n, fmt, ap);
	va_end(ap);
}

static void write_bytes(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

static void dom_file(const struct fx *f, unsigned int domid, const char *leaf,
		     const char *text)
{
	char path[256], tmp[300];

	path_of(f, path, sizeof(path), "dom%u/%s", domid, leaf);
	/* Atomically, as xenstore-sim does. */
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	write_bytes(tmp, text, strlen(text));
	assert_int_equal(rename(tmp, path), 0);
}

/* Replace a leaf of domain domid with a FIFO, a directory or nothing. */
static void dom_replace(const struct fx *f, unsigned int domid,
			const char *leaf, char kind)
{
	char path[256];

	path_of(f, path, sizeof(path), "dom%u/%s", domid, leaf);
	if (remove(path) < 0)
		assert_int_equal(errno, ENOENT);
	if (kind == 'p')
		assert_int_equal(mkfifo(path, 0666), 0);
	else if (kind == 'd')
		assert_int_equal(mkdir(path, 0777), 0);
	else if (kind == 'l')
		assert_int_equal(symlink("/dev/null", path), 0);
}

/* Domain domid as xenstore-sim creates it. */
static void make_domain(const struct fx *f, unsigned int domid)
{
	char path[256], text[64];
	int fd;

	path_of(f, path, sizeof(path), "dom%u", domid);
	assert_int_equal(mkdir(path, 0777), 0);
	path_of(f, path, sizeof(path), "dom%u/ring", domid);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0666);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 4096), 0);
	close(fd);
	path_of(f, path, sizeof(path), "dom%u/evtchn-up", domid);
	assert_int_equal(mkfifo(path, 0666), 0);
	path_of(f, path, sizeof(path), "dom%u/evtchn-down", domid);
	assert_int_equal(mkfifo(path, 0666), 0);
	snprintf(text, sizeof(text), "%u %u 1\n", domid, GFN(domid));
	dom_file(f, domid, "info", text);
	dom_file(f, domid, "state", "running\n");
}

/* A guest's end of one of its FIFOs (or DIR/virq when domid is 0). */
static int guest_fifo(const struct fx *f, unsigned int domid, const char *leaf)
{
	char path[256];
	int fd;

	if (domid)
		path_of(f, path, sizeof(path), "dom%u/%s", domid, leaf);
	else
		path_of(f, path, sizeof(path), "%s", leaf);
	fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	assert_true(fd >= 0);
	return fd;
}

static void signal_fd(int fd)
{
	assert_int_equal(write(fd, "x", 1), 1);
}

static bool readable(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int n = poll(&p, 1, timeout_ms);

	assert_true(n >= 0);
	return n == 1 && (p.revents & POLLIN);
}

/* Bytes waiting in a FIFO (it is left empty). */
static int drain_count(int fd)
{
	char buf[256];
	int total = 0;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		total += (int)n;
	assert_true(n < 0 && errno == EAGAIN);
	return total;
}

/* ---- fixture ---- */

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/xs-sim-test.XXXXXX");
	if (!mkdtemp(f->dir) || backend_sim_open(f->dir, &f->b) != 0) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	if (f->b)
		f->b->ops->close(f->b);
	nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static int pending(struct fx *f)
{
	return f->b->ops->pending(f->b);
}

static int map(struct fx *f, uint32_t domid, uint64_t gfn, void **page)
{
	return f->b->ops->map_ring(f->b, domid, gfn, page);
}

static int bind(struct fx *f, uint32_t domid, uint32_t port)
{
	return f->b->ops->bind(f->b, domid, port);
}

static enum domain_state dstate(struct fx *f, uint32_t domid)
{
	return f->b->ops->domain_state(f->b, domid);
}

/* ---- opening ---- */

static void test_open(void **state)
{
	struct fx *f = *state;
	char path[256];
	struct stat st;

	assert_string_equal(f->b->ops->name, "sim");
	path_of(f, path, sizeof(path), "virq");
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	assert_true(f->b->fd >= 0);
	assert_false(readable(f->b->fd, 0));
	assert_int_equal(pending(f), -EAGAIN);
}

static void test_open_errors(void **state)
{
	struct fx *f = *state;
	struct backend *b = NULL;
	char path[256];

	assert_int_equal(backend_sim_open(NULL, &b), -EINVAL);
	assert_int_equal(backend_sim_open("", &b), -EINVAL);
	path_of(f, path, sizeof(path), "no/such/dir");
	assert_int_equal(backend_sim_open(path, &b), -ENOENT);
	/* DIR is made when missing, one level. */
	path_of(f, path, sizeof(path), "new");
	assert_int_equal(backend_sim_open(path, &b), 0);
	b->ops->close(b);
	/* A virq that is not a FIFO. */
	path_of(f, path, sizeof(path), "new/virq");
	assert_int_equal(unlink(path), 0);
	write_bytes(path, "x", 1);
	path_of(f, path, sizeof(path), "new");
	assert_int_equal(backend_sim_open(path, &b), -EEXIST);
	/* A second backend on the same directory shares the virq FIFO. */
	assert_int_equal(backend_sim_open(f->dir, &b), 0);
	b->ops->close(b);
}

/* ---- ring pages ---- */

static void test_map_ring(void **state)
{
	struct fx *f = *state;
	struct xs_ring_page *page, *again, *guest;
	void *p;
	char path[256];
	int fd;

	make_domain(f, 3);
	assert_int_equal(map(f, 3, GFN(3), &p), 0);
	page = p;
	/* The page is the file, shared both ways. */
	path_of(f, path, sizeof(path), "dom3/ring");
	fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	guest = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(guest != MAP_FAILED);
	close(fd);
	assert_int_equal(page->req_prod, 0);
	assert_int_equal(page->server_features, 0);
	guest->req[0] = 'g';
	guest->req_prod = 1;
	assert_int_equal(page->req[0], 'g');
	assert_int_equal(page->req_prod, 1);
	page->server_features = XS_FEATURE_RECONNECTION;
	assert_int_equal(guest->server_features, XS_FEATURE_RECONNECTION);
	/* Mapping twice is allowed, as with grant maps. */
	assert_int_equal(map(f, 3, GFN(3), &p), 0);
	again = p;
	assert_int_equal(again->req_prod, 1);
	f->b->ops->unmap_ring(f->b, 3, again);
	f->b->ops->unmap_ring(f->b, 3, page);
	/* Unknown pages are ignored, not unmapped. */
	f->b->ops->unmap_ring(f->b, 3, guest);
	assert_int_equal(guest->req_prod, 1);
	munmap(guest, 4096);
}

static void test_map_errors(void **state)
{
	struct fx *f = *state;
	void *p = NULL;
	char path[256];

	make_domain(f, 3);
	assert_int_equal(map(f, 3, GFN(4), &p), -EINVAL);
	assert_int_equal(map(f, 3, 0, &p), -EINVAL);
	assert_int_equal(map(f, 3, GFN(3) + (1ull << 32), &p), -EINVAL);
	assert_int_equal(map(f, 0, GFN(0), &p), -EINVAL);
	assert_int_equal(map(f, 32752, GFN(32752), &p), -EINVAL);
	assert_int_equal(map(f, UINT32_MAX, GFN(3), &p), -EINVAL);
	assert_int_equal(map(f, 5, GFN(5), &p), -ESRCH);
	/* A ring that is not one page, or not a file. */
	path_of(f, path, sizeof(path), "dom3/ring");
	assert_int_equal(truncate(path, 100), 0);
	assert_int_equal(map(f, 3, GFN(3), &p), -EIO);
	assert_int_equal(truncate(path, 8192), 0);
	assert_int_equal(map(f, 3, GFN(3), &p), -EIO);
	dom_replace(f, 3, "ring", 'p');
	assert_int_equal(map(f, 3, GFN(3), &p), -EIO);
	dom_replace(f, 3, "ring", 'd');
	assert_int_equal(map(f, 3, GFN(3), &p), -EIO);
	dom_replace(f, 3, "ring", 'l');
	assert_int_equal(map(f, 3, GFN(3), &p), -EIO);
	dom_replace(f, 3, "ring", 0);
	assert_int_equal(map(f, 3, GFN(3), &p), -EIO);
	/* A dead domain cannot be mapped. */
	make_domain(f, 4);
	dom_file(f, 4, "state", "dead\n");
	assert_int_equal(map(f, 4, GFN(4), &p), -ESRCH);
	assert_null(p);
}

/* ---- event channels ---- */

static void test_bind_notify(void **state)
{
	struct fx *f = *state;
	int port, up, down;

	make_domain(f, 3);
	assert_int_equal(bind(f, 3, 2), -EINVAL);
	assert_int_equal(bind(f, 3, 0), -EINVAL);
	assert_int_equal(bind(f, 4, 1), -ESRCH);
	assert_int_equal(bind(f, 0, 1), -EINVAL);
	port = bind(f, 3, 1);
	assert_true(port > 0);
	/* The remote port is taken now. */
	assert_int_equal(bind(f, 3, 1), -EINVAL);

	up = guest_fifo(f, 3, "evtchn-up");
	down = guest_fifo(f, 3, "evtchn-down");

	/* guest -> daemon */
	assert_false(readable(f->b->fd, 0));
	signal_fd(up);
	assert_true(readable(f->b->fd, 1000));
	assert_int_equal(pending(f), port);
	assert_int_equal(pending(f), -EAGAIN);
	assert_false(readable(f->b->fd, 0));
	/* Several signals before the daemon looks are one event. */
	for (int i = 0; i < 10; i++)
		signal_fd(up);
	assert_int_equal(pending(f), port);
	assert_int_equal(pending(f), -EAGAIN);
	assert_int_equal(drain_count(up), 0);

	/* daemon -> guest */
	assert_false(readable(down, 0));
	assert_int_equal(f->b->ops->notify(f->b, port), 0);
	assert_true(readable(down, 0));
	assert_int_equal(drain_count(down), 1);
	/* A full FIFO is not an error. */
	assert_true(fcntl(down, F_SETPIPE_SZ, 4096) >= 0);
	for (int i = 0; i < 5000; i++)
		assert_int_equal(f->b->ops->notify(f->b, port), 0);
	assert_int_equal(drain_count(down), 4096);
	assert_int_equal(f->b->ops->notify(f->b, port + 1), -EINVAL);
	assert_int_equal(f->b->ops->notify(f->b, -1), -EINVAL);
	assert_int_equal(f->b->ops->notify(f->b, 0), -EINVAL);

	/* After unbind the port is silent and can be bound again. */
	f->b->ops->unbind(f->b, port);
	f->b->ops->unbind(f->b, port);
	f->b->ops->unbind(f->b, -5);
	f->b->ops->unbind(f->b, 1 << 30);
	signal_fd(up);
	assert_false(readable(f->b->fd, 0));
	assert_int_equal(pending(f), -EAGAIN);
	assert_int_equal(f->b->ops->notify(f->b, port), -EINVAL);
	port = bind(f, 3, 1);
	assert_true(port > 0);
	/* The byte left over wakes the new binding: harmless, as in Xen. */
	assert_int_equal(pending(f), port);
	assert_int_equal(pending(f), -EAGAIN);
	close(up);
	close(down);
}

static void test_bind_errors(void **state)
{
	struct fx *f = *state;

	make_domain(f, 3);
	dom_replace(f, 3, "evtchn-up", 0);
	assert_int_equal(bind(f, 3, 1), -EIO);
	dom_replace(f, 3, "evtchn-up", 'd');
	assert_int_equal(bind(f, 3, 1), -EIO);
	dom_replace(f, 3, "evtchn-up", 'p');
	dom_replace(f, 3, "evtchn-down", 'l');
	assert_int_equal(bind(f, 3, 1), -EIO);
	/* A regular file would be always readable. */
	dom_file(f, 3, "evtchn-down", "x");
	assert_int_equal(bind(f, 3, 1), -EIO);
	dom_replace(f, 3, "evtchn-down", 'p');
	assert_true(bind(f, 3, 1) > 0);
	/* Dead domains cannot be bound. */
	make_domain(f, 4);
	dom_file(f, 4, "state", "dead\n");
	assert_int_equal(bind(f, 4, 1), -ESRCH);
}

/* Every signalled port comes out once per round, whoever signals most. */
static void test_fairness(void **state)
{
	struct fx *f = *state;
	int port[3], up[3], seen[3] = { 0 }, first;

	for (unsigned int i = 0; i < 3; i++) {
		make_domain(f, 10 + i);
		port[i] = bind(f, 10 + i, 1);
		assert_true(port[i] > 0);
		up[i] = guest_fifo(f, 10 + i, "evtchn-up");
	}
	assert_true(port[0] != port[1] && port[1] != port[2] &&
		    port[0] != port[2]);
	for (int i = 0; i < 3; i++)
		signal_fd(up[i]);
	for (int n = 0; n < 3; n++) {
		int p = pending(f);

		for (int i = 0; i < 3; i++)
			seen[i] += p == port[i];
	}
	assert_int_equal(seen[0] + seen[1] + seen[2], 3);
	assert_true(seen[0] == 1 && seen[1] == 1 && seen[2] == 1);
	assert_int_equal(pending(f), -EAGAIN);

	/* A port that signals again waits for the others' turn. */
	for (int round = 0; round < 4; round++) {
		int second, third;

		for (int i = 0; i < 3; i++)
			signal_fd(up[i]);
		first = pending(f);
		for (int i = 0; i < 3; i++)
			if (first == port[i])
				signal_fd(up[i]);
		second = pending(f);
		third = pending(f);
		assert_true(second != first && third != first &&
			    second != third);
		assert_true(second > 0 && third > 0);
		assert_int_equal(pending(f), first);
		assert_int_equal(pending(f), -EAGAIN);
	}

	/* A port unbound while reported is not handed out. */
	for (int i = 0; i < 3; i++)
		signal_fd(up[i]);
	first = pending(f);
	for (int i = 0; i < 3; i++)
		if (port[i] != first)
			f->b->ops->unbind(f->b, port[i]);
	assert_int_equal(pending(f), -EAGAIN);
	for (int i = 0; i < 3; i++)
		close(up[i]);
}

/*
 * More ports signalled than one epoll batch holds, each guest signalling
 * again as soon as it is served: every port is still served once before
 * any is served twice.
 */
static void test_fairness_many(void **state)
{
	enum { N = 150 };
	struct fx *f = *state;
	static int up[N + 1], served[N + 1];
	int port_dom[2 * N + 2] = { 0 };

	for (unsigned int d = 1; d <= N; d++) {
		int port;

		make_domain(f, d);
		port = bind(f, d, 1);
		assert_true(port > 0 && port < 2 * N + 2);
		port_dom[port] = (int)d;
		up[d] = guest_fifo(f, d, "evtchn-up");
		served[d] = 0;
		signal_fd(up[d]);
	}
	for (int round = 1; round <= 3; round++) {
		for (int n = 0; n < N; n++) {
			int port = pending(f), d;

			assert_true(port > 0 && port < 2 * N + 2);
			d = port_dom[port];
			assert_true(d > 0);
			if (served[d] != round - 1)
				fail_msg("dom%d served twice in round %d", d, round);
			served[d] = round;
			signal_fd(up[d]);
		}
	}
	for (unsigned int d = 1; d <= N; d++)
		close(up[d]);
}

/* ---- domain states and the virq ---- */

static void test_virq_state(void **state)
{
	struct fx *f = *state;
	int virq = guest_fifo(f, 0, "virq");
	int port, up;
	char path[256];

	make_domain(f, 3);
	assert_int_equal(dstate(f, 3), DOMAIN_RUNNING);
	assert_int_equal(dstate(f, 0), DOMAIN_RUNNING); /* the host */
	assert_int_equal(dstate(f, 4), DOMAIN_DEAD);
	assert_int_equal(dstate(f, 32752), DOMAIN_DEAD);
	assert_int_equal(dstate(f, UINT32_MAX), DOMAIN_DEAD);

	dom_file(f, 3, "state", "shutdown\n");
	signal_fd(virq);
	assert_true(readable(f->b->fd, 1000));
	assert_int_equal(pending(f), BACKEND_VIRQ);
	assert_int_equal(pending(f), -EAGAIN);
	assert_false(readable(f->b->fd, 0));
	assert_int_equal(dstate(f, 3), DOMAIN_SHUTDOWN);

	/* Several changes before the daemon looks: one virq. */
	dom_file(f, 3, "state", "running\n");
	signal_fd(virq);
	dom_file(f, 3, "state", "dead\n");
	signal_fd(virq);
	assert_int_equal(pending(f), BACKEND_VIRQ);
	assert_int_equal(pending(f), -EAGAIN);
	assert_int_equal(dstate(f, 3), DOMAIN_DEAD);

	/* virq and a port together: both reported, the virq first. */
	make_domain(f, 5);
	port = bind(f, 5, 1);
	assert_true(port > 0);
	up = guest_fifo(f, 5, "evtchn-up");
	signal_fd(up);
	signal_fd(virq);
	assert_int_equal(pending(f), BACKEND_VIRQ);
	assert_int_equal(pending(f), port);
	assert_int_equal(pending(f), -EAGAIN);

	/* A removed directory reads as dead. */
	dom_replace(f, 3, "state", 0);
	assert_int_equal(dstate(f, 3), DOMAIN_DEAD);
	path_of(f, path, sizeof(path), "dom5/state");
	assert_int_equal(unlink(path), 0);
	assert_int_equal(dstate(f, 5), DOMAIN_DEAD);
	close(up);
	close(virq);
}

/* ---- malformed files ---- */

static void test_garbage_info(void **state)
{
	static const char *const bad[] = {
		"",
		"\n",
		"3",
		"3 65539",
		"3 65539 1 ",
		"3 65539 1\n\n",
		"3 65539 1\nx",
		"3  65539 1\n",
		" 3 65539 1\n",
		"3\t65539\t1\n",
		"03 65539 1\n",
		"3 065539 1\n",
		"3 0x10003 1\n",
		"+3 65539 1\n",
		"3 -65539 1\n",
		"3 65539 01\n",
		"3 65539 1.0\n",
		"4 65540 1\n",			/* another domain's info */
		"3 65539 4294967296\n",		/* port too big */
		"3 18446744073709551616 1\n",	/* gfn too big */
		"3 99999999999999999999999999999 1\n",
		"32768 65539 1\n",
		"three 65539 1\n",
		"3 65539 1\r\n",
		"3 65539 1 1\n",
		"\xff\xfe\xfd",
		"3 65539 1                                                      \n",
	};
	struct fx *f = *state;
	char path[256];
	void *p;

	make_domain(f, 3);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		dom_file(f, 3, "info", bad[i]);
		if (map(f, 3, GFN(3), &p) != -EIO)
			fail_msg("info \"%s\" was accepted by map", bad[i]);
		if (bind(f, 3, 1) != -EIO)
			fail_msg("info \"%s\" was accepted by bind", bad[i]);
	}
	/* An embedded NUL. */
	path_of(f, path, sizeof(path), "dom3/info");
	write_bytes(path, "3 65539\0 1\n", 11);
	assert_int_equal(map(f, 3, GFN(3), &p), -EIO);
	write_bytes(path, "3\0", 2);
	assert_int_equal(map(f, 3, GFN(3), &p), -EIO);
	/* Not a regular file: must fail, not block. */
	dom_replace(f, 3, "info", 'p');
	assert_int_equal(map(f, 3, GFN(3), &p), -EIO);
	assert_int_equal(bind(f, 3, 1), -EIO);
	dom_replace(f, 3, "info", 'd');
	assert_int_equal(map(f, 3, GFN(3), &p), -EIO);
	dom_replace(f, 3, "info", 'l');
	assert_int_equal(map(f, 3, GFN(3), &p), -EIO);
	assert_int_equal(bind(f, 3, 1), -EIO);
	/* Missing: the domain is not there. */
	dom_replace(f, 3, "info", 0);
	assert_int_equal(map(f, 3, GFN(3), &p), -ESRCH);

	/* Without the final newline it is still good. */
	dom_file(f, 3, "info", "3 65539 1");
	assert_int_equal(map(f, 3, GFN(3), &p), 0);
	f->b->ops->unmap_ring(f->b, 3, p);
	assert_true(bind(f, 3, 1) > 0);
}

static void test_garbage_state(void **state)
{
	static const struct {
		const char *text;
		enum domain_state want;
	} cases[] = {
		{ "running\n", DOMAIN_RUNNING },
		{ "running", DOMAIN_RUNNING },
		{ "shutdown\n", DOMAIN_SHUTDOWN },
		{ "shutdown", DOMAIN_SHUTDOWN },
		{ "dead\n", DOMAIN_DEAD },
		{ "", DOMAIN_DEAD },
		{ "\n", DOMAIN_DEAD },
		{ "Running\n", DOMAIN_DEAD },
		{ "running\n\n", DOMAIN_DEAD },
		{ " running\n", DOMAIN_DEAD },
		{ "running \n", DOMAIN_DEAD },
		{ "runningx\n", DOMAIN_DEAD },
		{ "runnin\n", DOMAIN_DEAD },
		{ "run\n", DOMAIN_DEAD },
		{ "shutdownrunning\n", DOMAIN_DEAD },
		{ "running\r\n", DOMAIN_DEAD },
		{ "\xff\xfe", DOMAIN_DEAD },
		{ "running\n"
		  "running running running running running running running\n",
		  DOMAIN_DEAD },
	};
	struct fx *f = *state;
	char path[256];
	void *p;

	make_domain(f, 3);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		dom_file(f, 3, "state", cases[i].text);
		if (dstate(f, 3) != cases[i].want)
			fail_msg("state \"%s\" read as %d", cases[i].text,
				 (int)dstate(f, 3));
	}
	path_of(f, path, sizeof(path), "dom3/state");
	write_bytes(path, "running\0\n", 9);
	assert_int_equal(dstate(f, 3), DOMAIN_DEAD);
	write_bytes(path, "run\0ning\n", 9);
	assert_int_equal(dstate(f, 3), DOMAIN_DEAD);
	dom_replace(f, 3, "state", 'p');
	assert_int_equal(dstate(f, 3), DOMAIN_DEAD);
	dom_replace(f, 3, "state", 'l');
	assert_int_equal(dstate(f, 3), DOMAIN_DEAD);
	dom_replace(f, 3, "state", 'd');
	assert_int_equal(dstate(f, 3), DOMAIN_DEAD);
	/* The domain directory itself replaced by a file. */
	make_domain(f, 6);
	path_of(f, path, sizeof(path), "dom7");
	write_bytes(path, "running\n", 8);
	assert_int_equal(dstate(f, 7), DOMAIN_DEAD);
	assert_int_equal(map(f, 7, GFN(7), &p), -ESRCH);
	assert_int_equal(bind(f, 7, 1), -ESRCH);
}

/* Whatever is still mapped and bound goes with close (LeakSanitizer). */
static void test_close_releases(void **state)
{
	struct fx *f = *state;
	void *p;

	for (unsigned int d = 1; d <= 40; d++) {
		make_domain(f, d);
		assert_int_equal(map(f, d, GFN(d), &p), 0);
		assert_true(bind(f, d, 1) > 0);
	}
	f->b->ops->close(f->b);
	f->b = NULL;
}

/* ---- with the xenstore-sim tool ---- */

/* Run the tool on f's directory; its exit status, stdout into out. */
static int run_tool(const struct fx *f, char *out, size_t size,
		    const char *cmd, const char *arg)
{
	const char *bin = getenv("XENSTORE_SIM_BIN");
	int pfd[2], status;
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	assert_non_null(bin);
	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(pfd[1], 1);
		dup2(null, 2); /* the tool's messages are expected */
		close(pfd[0]);
		close(pfd[1]);
		execl(bin, bin, "--dir", f->dir, cmd, arg, (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	while (len + 1 < size &&
	       (n = read(pfd[0], out + len, size - 1 - len)) > 0)
		len += (size_t)n;
	out[len] = '\0';
	close(pfd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_with_tool(void **state)
{
	struct fx *f = *state;
	char out[256], path[256];
	struct stat st;
	void *p;
	int port;

	if (!getenv("XENSTORE_SIM_BIN"))
		skip();
	assert_int_equal(run_tool(f, out, sizeof(out), "create", "7"), 0);
	assert_string_equal(out, "7 65543 1\n");
	assert_int_equal(run_tool(f, out, sizeof(out), "create", NULL), 0);
	assert_string_equal(out, "1 65537 1\n");
	assert_int_equal(run_tool(f, out, sizeof(out), "create", "7"), 1);

	assert_int_equal(map(f, 7, GFN(7), &p), 0);
	assert_int_equal(((struct xs_ring_page *)p)->rsp_prod, 0);
	port = bind(f, 7, 1);
	assert_true(port > 0);
	assert_int_equal(dstate(f, 7), DOMAIN_RUNNING);

	assert_int_equal(run_tool(f, out, sizeof(out), "shutdown", "7"), 0);
	assert_true(readable(f->b->fd, 1000));
	assert_int_equal(pending(f), BACKEND_VIRQ);
	assert_int_equal(pending(f), -EAGAIN);
	assert_int_equal(dstate(f, 7), DOMAIN_SHUTDOWN);

	assert_int_equal(run_tool(f, out, sizeof(out), "reap", "7"), 1);
	assert_int_equal(run_tool(f, out, sizeof(out), "destroy", "7"), 0);
	assert_int_equal(pending(f), BACKEND_VIRQ);
	assert_int_equal(dstate(f, 7), DOMAIN_DEAD);
	assert_int_equal(run_tool(f, out, sizeof(out), "list", NULL), 0);
	assert_string_equal(out, "1 running\n7 dead\n");

	f->b->ops->unbind(f->b, port);
	f->b->ops->unmap_ring(f->b, 7, p);
	assert_int_equal(run_tool(f, out, sizeof(out), "reap", "7"), 0);
	path_of(f, path, sizeof(path), "dom7");
	assert_int_equal(stat(path, &st), -1);
	assert_int_equal(dstate(f, 7), DOMAIN_DEAD);
	assert_int_equal(map(f, 7, GFN(7), &p), -ESRCH);
	assert_int_equal(pending(f), -EAGAIN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_ring, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bind_notify, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bind_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fairness, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fairness_many, setup, teardown),
		cmocka_unit_test_setup_teardown(test_virq_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage_info, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_releases, setup, teardown),
		cmocka_unit_test_setup_teardown(test_with_tool, setup, teardown),
	};

	return cmocka_run_group_tests_name("backend_sim", tests, NULL, NULL);
}
