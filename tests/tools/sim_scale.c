/* SPDX-License-Identifier: MIT */
/*
 * sim_scale: many simulated guests (docs/sim.md) in one process, for the
 * scale check of tests/integration/test_sim_scale.sh.
 *
 *   sim_scale DIR FIRST LAST WRITES
 *
 * Domains FIRST..LAST must exist in the sim directory DIR and have been
 * introduced to the daemon at $XENSTORED_PATH; FIRST's data/ must be
 * writable by it.  sim_scale then
 *
 *   1. asks the daemon (over the socket, as dom0) IS_DOMAIN_INTRODUCED for
 *      each of them;
 *   2. maps every domain's ring (locking it as the library does) and, as
 *      that guest, speaks the wire protocol itself: one WATCH each, on its
 *      own data/scale (relative), with a token unique to this run, and
 *      waits for the reply and the initial event;
 *   3. as guest FIRST, sends WRITES writes of data/scale/k one after the
 *      other and measures each one's latency, from the first byte put in
 *      the ring to the reply (the watch event that comes with each write
 *      is consumed on the way);
 *   4. removes every watch again (UNWATCH).
 *
 * It prints one line of counts and one of latencies:
 *
 *   domains=N introduced=N watches=N writes=W answered=W events=W unwatched=N
 *   latency_us p50=... p90=... p99=... max=... mean=...
 *
 * and exits 0 when every count is complete, 1 otherwise (or when anything
 * fails: a message on stderr), 2 on a usage error.  Latencies are
 * reported, never judged.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "xenstore/wire.h"

#define PAGE_SIZE_SIM 4096u
#define RING_LOCK_OFFSET 4096 /* the library's ownership lock byte */
#define OP_TIMEOUT_MS 10000   /* one request may take this long */
#define MAX_DOMID 32751u

struct guest {
	unsigned int domid;
	struct xs_ring_page *pg;
	int ring_fd;		/* kept open: it carries the lock */
	int up_fd, down_fd;	/* open only while talking */
	uint32_t req_prod, rsp_cons;
};

struct msg {
	struct xs_msg_hdr hdr;
	char body[XS_PAYLOAD_MAX + 1];
};

static const char *dir;
static uint32_t next_req_id = 1;
static char token[64]; /* of this run's watches */

/* Is m an event of one of this run's watches? */
static bool our_event(const struct msg *m)
{
	const char *nul = memchr(m->body, '\0', m->hdr.len);

	return m->hdr.type == XS_WATCH_EVENT && nul &&
	       strcmp(nul + 1, token) == 0;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int open_fifo(unsigned int domid, const char *name)
{
	char path[4096];
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "%s/dom%u/%s", dir, domid, name);
	fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "sim_scale: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISFIFO(st.st_mode)) {
		fprintf(stderr, "sim_scale: %s: not a FIFO\n", path);
		close(fd);
		return -1;
	}
	return fd;
}

static bool guest_map(struct guest *g, unsigned int domid)
{
	char path[4096];
	struct stat st;
	struct flock lk = {
		.l_type = F_WRLCK,
		.l_whence = SEEK_SET,
		.l_start = RING_LOCK_OFFSET,
		.l_len = 1,
	};
	void *p;

	g->domid = domid;
	g->up_fd = g->down_fd = -1;
	snprintf(path, sizeof(path), "%s/dom%u/ring", dir, domid);
	g->ring_fd = open(path, O_RDWR | O_CLOEXEC);
	if (g->ring_fd < 0 || fstat(g->ring_fd, &st) != 0 ||
	    !S_ISREG(st.st_mode) || st.st_size != (off_t)PAGE_SIZE_SIM) {
		fprintf(stderr, "sim_scale: %s: not a ring file\n", path);
		return false;
	}
	if (fcntl(g->ring_fd, F_OFD_SETLK, &lk) != 0) {
		fprintf(stderr, "sim_scale: %s is in use\n", path);
		return false;
	}
	p = mmap(NULL, PAGE_SIZE_SIM, PROT_READ | PROT_WRITE, MAP_SHARED,
		 g->ring_fd, 0);
	if (p == MAP_FAILED) {
		fprintf(stderr, "sim_scale: mmap %s: %s\n", path, strerror(errno));
		return false;
	}
	g->pg = p;
	/* Indexes need not start at 0: go on from where they are. */
	g->req_prod = __atomic_load_n(&g->pg->req_prod, __ATOMIC_ACQUIRE);
	g->rsp_cons = __atomic_load_n(&g->pg->rsp_cons, __ATOMIC_ACQUIRE);
	return true;
}

static bool guest_open_fifos(struct guest *g)
{
	if (g->up_fd < 0)
		g->up_fd = open_fifo(g->domid, "evtchn-up");
	if (g->down_fd < 0)
		g->down_fd = open_fifo(g->domid, "evtchn-down");
	return g->up_fd >= 0 && g->down_fd >= 0;
}

static void guest_close_fifos(struct guest *g)
{
	if (g->up_fd >= 0)
		close(g->up_fd);
	if (g->down_fd >= 0)
		close(g->down_fd);
	g->up_fd = g->down_fd = -1;
}

static void guest_unmap(struct guest *g)
{
	guest_close_fifos(g);
	if (g->pg)
		munmap(g->pg, PAGE_SIZE_SIM);
	if (g->ring_fd >= 0)
		close(g->ring_fd);
	g->pg = NULL;
	g->ring_fd = -1;
}

static void notify(int fd)
{
	char c = 1;

	while (write(fd, &c, 1) < 0 && errno == EINTR)
		;
}

/* Drain evtchn-down, then wait for it (bounded).  False past deadline. */
static bool guest_wait(struct guest *g, int64_t deadline)
{
	struct pollfd pfd = {.fd = g->down_fd, .events = POLLIN};
	char buf[256];
	int64_t left = (deadline - now_ns()) / 1000000;

	if (left <= 0)
		return false;
	/* Short sleeps: a lost notification costs at most 20 ms. */
	poll(&pfd, 1, (int)(left < 20 ? left : 20));
	while (read(g->down_fd, buf, sizeof(buf)) > 0)
		;
	return true;
}

static bool guest_broken(struct guest *g)
{
	uint32_t err = __atomic_load_n(&g->pg->error, __ATOMIC_ACQUIRE);

	if (err)
		fprintf(stderr, "sim_scale: domain %u: ring error %u\n", g->domid,
			(unsigned int)err);
	return err != 0;
}

static bool guest_send(struct guest *g, const void *data, size_t len,
		       int64_t deadline)
{
	const char *p = data;

	while (len) {
		if (guest_broken(g))
			return false;
		uint32_t cons = __atomic_load_n(&g->pg->req_cons, __ATOMIC_ACQUIRE);
		uint32_t used = g->req_prod - cons;
		if (used > XS_RING_SIZE) {
			fprintf(stderr, "sim_scale: domain %u: bad req_cons\n",
				g->domid);
			return false;
		}
		uint32_t n = XS_RING_SIZE - used;
		if (n == 0) {
			if (!guest_wait(g, deadline))
				goto timeout;
			continue;
		}
		if (n > len)
			n = (uint32_t)len;
		for (uint32_t i = 0; i < n; i++)
			g->pg->req[XS_RING_IDX(g->req_prod + i)] = p[i];
		g->req_prod += n;
		__atomic_store_n(&g->pg->req_prod, g->req_prod, __ATOMIC_RELEASE);
		notify(g->up_fd);
		p += n;
		len -= n;
	}
	return true;
timeout:
	fprintf(stderr, "sim_scale: domain %u: ring full for too long\n", g->domid);
	return false;
}

static bool guest_recv(struct guest *g, void *data, size_t len, int64_t deadline)
{
	char *p = data;

	while (len) {
		if (guest_broken(g))
			return false;
		uint32_t prod = __atomic_load_n(&g->pg->rsp_prod, __ATOMIC_ACQUIRE);
		uint32_t n = prod - g->rsp_cons;
		if (n > XS_RING_SIZE) {
			fprintf(stderr, "sim_scale: domain %u: bad rsp_prod\n",
				g->domid);
			return false;
		}
		if (n == 0) {
			if (!guest_wait(g, deadline)) {
				fprintf(stderr, "sim_scale: domain %u: no reply\n",
					g->domid);
				return false;
			}
			continue;
		}
		if (n > len)
			n = (uint32_t)len;
		for (uint32_t i = 0; i < n; i++)
			p[i] = g->pg->rsp[XS_RING_IDX(g->rsp_cons + i)];
		g->rsp_cons += n;
		__atomic_store_n(&g->pg->rsp_cons, g->rsp_cons, __ATOMIC_RELEASE);
		notify(g->up_fd);
		p += n;
		len -= n;
	}
	return true;
}

static bool guest_recv_msg(struct guest *g, struct msg *m, int64_t deadline)
{
	if (!guest_recv(g, &m->hdr, sizeof(m->hdr), deadline))
		return false;
	if (m->hdr.len > XS_PAYLOAD_MAX) {
		fprintf(stderr, "sim_scale: domain %u: %u-byte payload\n",
			g->domid, (unsigned int)m->hdr.len);
		return false;
	}
	if (!guest_recv(g, m->body, m->hdr.len, deadline))
		return false;
	m->body[m->hdr.len] = '\0';
	return true;
}

/* Payload of NUL-terminated strings; the last one without its NUL when
 * last_nul is false (WRITE's value).  Returns the length. */
static size_t build(char *buf, const char *const *args, size_t n, bool last_nul)
{
	size_t len = 0;

	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(args[i]);
		memcpy(buf + len, args[i], l);
		len += l;
		if (i + 1 < n || last_nul)
			buf[len++] = '\0';
	}
	return len;
}

/*
 * One request as guest g; waits for its reply, counting the watch events
 * that come meanwhile in *events.  True when the reply has type `type`.
 */
static bool guest_call(struct guest *g, uint32_t type, const char *payload,
		       size_t len, unsigned int *events, struct msg *reply)
{
	int64_t deadline = now_ns() + (int64_t)OP_TIMEOUT_MS * 1000000;
	struct xs_msg_hdr h = {.type = type, .req_id = next_req_id++, .len = (uint32_t)len};

	if (!guest_send(g, &h, sizeof(h), deadline) ||
	    !guest_send(g, payload, len, deadline))
		return false;
	for (;;) {
		if (!guest_recv_msg(g, reply, deadline))
			return false;
		if (reply->hdr.type == XS_WATCH_EVENT) {
			*events += our_event(reply);
			continue;
		}
		if (reply->hdr.req_id != h.req_id) {
			fprintf(stderr, "sim_scale: domain %u: reply to %u, not %u\n",
				g->domid, (unsigned int)reply->hdr.req_id,
				(unsigned int)h.req_id);
			return false;
		}
		if (reply->hdr.type != type) {
			fprintf(stderr, "sim_scale: domain %u: %s\n", g->domid,
				reply->hdr.type == XS_ERROR ? reply->body : "odd reply");
			return false;
		}
		return true;
	}
}

/* ---- the socket (dom0) ------------------------------------------------- */

static int sock_connect(void)
{
	const char *path = getenv("XENSTORED_PATH");
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	if (!path || !*path || strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "sim_scale: set XENSTORED_PATH to the daemon's socket\n");
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		fprintf(stderr, "sim_scale: connect %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	struct timeval tv = {.tv_sec = OP_TIMEOUT_MS / 1000};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

static bool sock_io(int fd, void *buf, size_t len, bool out)
{
	char *p = buf;

	while (len) {
		ssize_t n = out ? send(fd, p, len, MSG_NOSIGNAL) : recv(fd, p, len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

/* IS_DOMAIN_INTRODUCED domid over the socket: 1 T, 0 F, -1 failure. */
static int sock_introduced(int fd, unsigned int domid)
{
	char arg[16];
	struct msg m;
	int len = snprintf(arg, sizeof(arg), "%u", domid) + 1;
	struct xs_msg_hdr h = {.type = XS_IS_DOMAIN_INTRODUCED,
			       .req_id = next_req_id++, .len = (uint32_t)len};

	if (!sock_io(fd, &h, sizeof(h), true) || !sock_io(fd, arg, (size_t)len, true) ||
	    !sock_io(fd, &m.hdr, sizeof(m.hdr), false) || m.hdr.len > XS_PAYLOAD_MAX ||
	    !sock_io(fd, m.body, m.hdr.len, false))
		return -1;
	if (m.hdr.type != XS_IS_DOMAIN_INTRODUCED || m.hdr.len < 1)
		return -1;
	return m.body[0] == 'T';
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static bool parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return !errno && !*end && *out <= max;
}

int main(int argc, char **argv)
{
	unsigned long first, last, writes;
	unsigned int ndom, introduced = 0, watches = 0, answered = 0;
	unsigned int events = 0, unwatched = 0, ignored = 0;
	struct guest *gs = NULL;
	int64_t *lat = NULL;
	static char payload[XS_PAYLOAD_MAX];
	static struct msg reply;
	struct rlimit rl;
	bool ok = false;
	int sock = -1;

	if (argc != 5 || !parse_uint(argv[2], MAX_DOMID, &first) || first < 1 ||
	    !parse_uint(argv[3], MAX_DOMID, &last) || last < first ||
	    !parse_uint(argv[4], 10000000, &writes) || writes < 1) {
		fprintf(stderr, "usage: sim_scale DIR FIRST LAST WRITES\n");
		return 2;
	}
	dir = argv[1];
	ndom = (unsigned int)(last - first + 1);

	/* One descriptor per ring (it holds the lock), plus a few. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < ndom + 64) {
		rl.rlim_cur = rl.rlim_max < ndom + 64 ? rl.rlim_max : ndom + 64;
		setrlimit(RLIMIT_NOFILE, &rl);
		if (rl.rlim_cur < ndom + 64) {
			fprintf(stderr, "sim_scale: need %u descriptors\n", ndom + 64);
			return 1;
		}
	}
	gs = calloc(ndom, sizeof(*gs));
	lat = calloc(writes, sizeof(*lat));
	if (!gs || !lat) {
		fprintf(stderr, "sim_scale: out of memory\n");
		goto out;
	}
	for (unsigned int i = 0; i < ndom; i++)
		gs[i].ring_fd = gs[i].up_fd = gs[i].down_fd = -1;
	snprintf(token, sizeof(token), "scale-%ld", (long)getpid());

	/* 1. Introduced? */
	sock = sock_connect();
	if (sock < 0)
		goto out;
	for (unsigned int i = 0; i < ndom; i++) {
		int r = sock_introduced(sock, (unsigned int)first + i);
		if (r < 0) {
			fprintf(stderr, "sim_scale: IS_DOMAIN_INTRODUCED %lu failed\n",
				first + i);
			goto out;
		}
		introduced += (unsigned int)r;
	}

	/* 2. One watch per guest. */
	const char *wargs[] = {"data/scale", token};
	size_t wlen = build(payload, wargs, 2, true);
	for (unsigned int i = 0; i < ndom; i++) {
		struct guest *g = &gs[i];
		unsigned int ev = 0;

		if (!guest_map(g, (unsigned int)first + i) || !guest_open_fifos(g))
			goto out;
		if (!guest_call(g, XS_WATCH, payload, wlen, &ev, &reply))
			goto out;
		/* The initial event follows the reply. */
		while (ev == 0) {
			int64_t deadline = now_ns() + (int64_t)OP_TIMEOUT_MS * 1000000;
			if (!guest_recv_msg(g, &reply, deadline))
				goto out;
			ev += our_event(&reply);
		}
		watches++;
		/* Guest FIRST keeps its channels; the others need none now. */
		if (i > 0)
			guest_close_fifos(g);
	}

	/* 3. Guest FIRST writes; each write fires its own watch once. */
	for (unsigned long w = 0; w < writes; w++) {
		char val[32];
		snprintf(val, sizeof(val), "%lu", w);
		const char *args[] = {"data/scale/k", val};
		size_t len = build(payload, args, 2, false);
		int64_t t0 = now_ns();
		if (!guest_call(&gs[0], XS_WRITE, payload, len, &events, &reply))
			goto out;
		lat[answered++] = now_ns() - t0;
	}
	/* The event of the last write may trail its reply. */
	while (events < writes) {
		int64_t deadline = now_ns() + (int64_t)OP_TIMEOUT_MS * 1000000;
		if (!guest_recv_msg(&gs[0], &reply, deadline))
			goto out;
		events += our_event(&reply);
	}

	/* 4. Remove the watches. */
	for (unsigned int i = 0; i < ndom; i++) {
		struct guest *g = &gs[i];
		if (!guest_open_fifos(g) ||
		    !guest_call(g, XS_UNWATCH, payload, build(payload, wargs, 2, true),
				&ignored, &reply))
			goto out;
		unwatched++;
		guest_close_fifos(g);
	}
	ok = true;
out:
	printf("domains=%u introduced=%u watches=%u writes=%lu answered=%u "
	       "events=%u unwatched=%u\n",
	       ndom, introduced, watches, writes, answered, events, unwatched);
	if (answered) {
		int64_t sum = 0;
		qsort(lat, answered, sizeof(*lat), cmp_i64);
		for (unsigned int i = 0; i < answered; i++)
			sum += lat[i];
#define PCT(p) ((double)lat[(size_t)((answered - 1) * (p) / 100)] / 1000.0)
		printf("latency_us p50=%.1f p90=%.1f p99=%.1f max=%.1f mean=%.1f\n",
		       PCT(50), PCT(90), PCT(99), (double)lat[answered - 1] / 1000.0,
		       (double)sum / answered / 1000.0);
#undef PCT
	}
	if (gs)
		for (unsigned int i = 0; i < ndom; i++)
			guest_unmap(&gs[i]);
	if (sock >= 0)
		close(sock);
	free(gs);
	free(lat);
	ok = ok && introduced == ndom && watches == ndom && answered == writes &&
	     events == writes && unwatched == ndom;
	return ok ? 0 : 1;
}
