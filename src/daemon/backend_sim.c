/* SPDX-License-Identifier: MIT */
/*
 * The simulated hypervisor backend: a directory laid out as docs/sim.md
 * describes stands in for Xen.  A ring page is a 4096-byte file mapped
 * MAP_SHARED, an event channel is a pair of FIFOs, VIRQ_DOM_EXC is one
 * more FIFO and a domain's state is a one-word text file.  This file owns
 * the backend's private state: the directory, the ring mappings it made,
 * its bound ports and an epoll set (the backend's fd) watching every
 * guest->daemon FIFO plus DIR/virq.  Nothing in the directory is trusted:
 * files are checked for their type and size and parsed strictly, and no
 * open or read can block.  Depends on libc and backend.h only, so its unit
 * test links this object alone.
 */
#include "daemon/backend.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define SIM_PAGE_SIZE 4096
#define SIM_DOMID_MAX 32751u
#define SIM_VIRQ_TAG UINT32_MAX	  /* epoll data of DIR/virq */
#define SIM_EVENTS_MAX 64	  /* epoll events fetched per refill */
#define SIM_DRAIN_MAX 128	  /* reads per drain: 64 KiB, a full pipe */
#define SIM_SMALL_FILE 64	  /* info and state are shorter than this */

struct sim_port {
	int up_fd;	/* guest -> daemon FIFO; -1 when the slot is free */
	int down_fd;	/* daemon -> guest FIFO */
	uint32_t domid;
	bool ready;	/* reported by epoll, not yet returned by pending() */
};

struct sim_map {
	uint32_t domid;
	void *page;
};

struct sim {
	struct backend b;
	int dir_fd;
	int virq_fd;
	bool virq_ready;
	/* Port numbers are indexes; slot 0 is never used (as in Xen). */
	struct sim_port *ports;
	unsigned int nports;
	unsigned int nready;
	unsigned int cursor; /* where the next fair scan starts */
	struct sim_map *maps;
	size_t nmaps, maps_cap;
};

static struct sim *sim_of(struct backend *b)
{
	return b->priv;
}

static bool domid_ok(uint32_t domid)
{
	return domid >= 1 && domid <= SIM_DOMID_MAX;
}

/*
 * Open DIR/dom<domid>/<name> without following a final symlink and
 * without blocking (a FIFO where a file should be must not hang us).
 */
static int open_dom_file(struct sim *s, uint32_t domid, const char *name,
			 int flags)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "dom%u/%s", (unsigned int)domid, name);
	fd = openat(s->dir_fd, path, flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/*
 * An error opening or reading a domain's file: the host's own troubles are
 * passed on, anything else means a malformed directory (a symlink, a
 * directory or nothing where a file should be): -EIO.
 */
static int layout_err(int err)
{
	switch (err) {
	case -EMFILE:
	case -ENFILE:
	case -ENOMEM:
	case -EACCES:
	case -EPERM:
		return err;
	default:
		return -EIO;
	}
}

/*
 * Read a whole small regular file into buf (NUL-terminated).  Length, or
 * -errno: -EIO when it is not a regular file or does not fit.
 */
static int read_small(struct sim *s, uint32_t domid, const char *name,
		      char *buf, size_t size)
{
	struct stat st;
	size_t len = 0;
	int fd = open_dom_file(s, domid, name, O_RDONLY);
	int ret;

	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = -EIO;
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, buf + len, size - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len == size) { /* no room left for the NUL: too long */
			ret = -EIO;
			goto out;
		}
	}
	buf[len] = '\0';
	ret = (int)len;
out:
	close(fd);
	return ret;
}

/*
 * A decimal number at *p: digits only, no sign, no leading zero, at most
 * max.  Advances *p.  False on anything else.
 */
static bool parse_num(const char **p, uint64_t max, uint64_t *out)
{
	const char *c = *p;
	uint64_t v = 0;

	if (*c < '0' || *c > '9' || (c[0] == '0' && c[1] >= '0' && c[1] <= '9'))
		return false;
	for (; *c >= '0' && *c <= '9'; c++) {
		unsigned int d = (unsigned int)(*c - '0');

		if (v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*p = c;
	*out = v;
	return true;
}

/* The end of a one-line file: "\n" or nothing, then the end. */
static bool at_line_end(const char *p, const char *end)
{
	return p == end || (p + 1 == end && *p == '\n');
}

/*
 * DIR/dom<domid>/info: "<domid> <gfn> <port>\n" in decimal, domid matching
 * the directory.  0, -ESRCH when the domain does not exist, -EIO when the
 * file is malformed.
 */
static int read_info(struct sim *s, uint32_t domid, uint64_t *gfn,
		     uint32_t *port)
{
	char buf[SIM_SMALL_FILE] = "";
	const char *p = buf;
	uint64_t id, g, pt;
	int len = read_small(s, domid, "info", buf, sizeof(buf));

	if (len == -ENOENT || len == -ENOTDIR)
		return -ESRCH;
	if (len < 0)
		return layout_err(len);
	if ((size_t)len != strlen(buf))
		return -EIO; /* an embedded NUL */
	if (!parse_num(&p, SIM_DOMID_MAX, &id) || *p++ != ' ' ||
	    !parse_num(&p, UINT64_MAX, &g) || *p++ != ' ' ||
	    !parse_num(&p, UINT32_MAX, &pt) || !at_line_end(p, buf + len) ||
	    id != domid)
		return -EIO;
	*gfn = g;
	*port = (uint32_t)pt;
	return 0;
}

static enum domain_state sim_domain_state(struct backend *b, uint32_t domid)
{
	static const struct {
		const char *word;
		enum domain_state state;
	} words[] = {
		{ "running", DOMAIN_RUNNING },
		{ "shutdown", DOMAIN_SHUTDOWN },
		{ "dead", DOMAIN_DEAD },
	};
	char buf[SIM_SMALL_FILE] = "";
	int len;

	/* Dom0 is the host the simulation runs on: always there. */
	if (domid == 0)
		return DOMAIN_RUNNING;
	if (!domid_ok(domid))
		return DOMAIN_DEAD;
	len = read_small(sim_of(b), domid, "state", buf, sizeof(buf));
	if (len <= 0 || (size_t)len != strlen(buf))
		return DOMAIN_DEAD; /* missing, unreadable or binary */
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		size_t wl = strlen(words[i].word);

		if (strncmp(buf, words[i].word, wl) == 0 &&
		    at_line_end(buf + wl, buf + len))
			return words[i].state;
	}
	return DOMAIN_DEAD; /* anything else is not a live domain */
}

/* The checks Xen makes before mapping a frame or binding a port. */
static int check_domain(struct sim *s, uint32_t domid, uint64_t *gfn,
			uint32_t *port)
{
	int ret;

	if (!domid_ok(domid))
		return -EINVAL;
	ret = read_info(s, domid, gfn, port);
	if (ret < 0)
		return ret;
	if (sim_domain_state(&s->b, domid) == DOMAIN_DEAD)
		return -ESRCH;
	return 0;
}

static int sim_map_ring(struct backend *b, uint32_t domid, uint64_t gfn,
			void **page)
{
	struct sim *s = sim_of(b);
	struct stat st;
	uint64_t want;
	uint32_t port;
	void *p;
	int fd, ret = check_domain(s, domid, &want, &port);

	if (ret < 0)
		return ret;
	if (gfn != want)
		return -EINVAL;
	if (s->nmaps == s->maps_cap) {
		size_t cap = s->maps_cap ? 2 * s->maps_cap : 8;
		struct sim_map *m = realloc(s->maps, cap * sizeof(*m));

		if (!m)
			return -ENOMEM;
		s->maps = m;
		s->maps_cap = cap;
	}
	fd = open_dom_file(s, domid, "ring", O_RDWR);
	if (fd < 0)
		return layout_err(fd);
	/*
	 * Exactly one page: mapping past the end of a shorter file would
	 * fault (SIGBUS) on first access.
	 */
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	if (!S_ISREG(st.st_mode) || st.st_size != SIM_PAGE_SIZE) {
		close(fd);
		return -EIO;
	}
	p = mmap(NULL, SIM_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ret = -errno;
	close(fd);
	if (p == MAP_FAILED)
		return ret;
	s->maps[s->nmaps].domid = domid;
	s->maps[s->nmaps].page = p;
	s->nmaps++;
	*page = p;
	return 0;
}

/* Only pages this backend mapped are unmapped; anything else is ignored. */
static void sim_unmap_ring(struct backend *b, uint32_t domid, void *page)
{
	struct sim *s = sim_of(b);

	for (size_t i = 0; i < s->nmaps; i++) {
		if (s->maps[i].page == page && s->maps[i].domid == domid) {
			munmap(page, SIM_PAGE_SIZE);
			s->maps[i] = s->maps[--s->nmaps];
			return;
		}
	}
}

static bool port_bound(const struct sim *s, int port)
{
	return port > 0 && (unsigned int)port < s->nports &&
	       s->ports[port].up_fd >= 0;
}

/* A FIFO of the domain, opened read-write so it never sees EOF. */
static int open_fifo(struct sim *s, uint32_t domid, const char *name)
{
	struct stat st;
	int fd = open_dom_file(s, domid, name, O_RDWR);

	if (fd < 0)
		return layout_err(fd);
	if (fstat(fd, &st) < 0 || !S_ISFIFO(st.st_mode)) {
		close(fd);
		return -EIO;
	}
	return fd;
}

/* A free port slot (growing the table), or -errno. */
static int alloc_port(struct sim *s)
{
	unsigned int old = s->nports, n = old ? 2 * old : 16;
	struct sim_port *p;

	for (unsigned int i = 1; i < old; i++)
		if (s->ports[i].up_fd < 0)
			return (int)i;
	/* One port per domain: the table never needs more. */
	if (n > 2 * (SIM_DOMID_MAX + 1))
		return -ENOSPC;
	p = realloc(s->ports, n * sizeof(*p));
	if (!p)
		return -ENOMEM;
	for (unsigned int i = old; i < n; i++)
		p[i] = (struct sim_port){ .up_fd = -1, .down_fd = -1 };
	s->ports = p;
	s->nports = n;
	return old ? (int)old : 1;
}

static int sim_bind(struct backend *b, uint32_t domid, uint32_t remote_port)
{
	struct sim *s = sim_of(b);
	struct epoll_event ev = { .events = EPOLLIN };
	uint64_t gfn;
	uint32_t want;
	int up, down, port, ret = check_domain(s, domid, &gfn, &want);

	if (ret < 0)
		return ret;
	if (remote_port != want)
		return -EINVAL;
	/* Xen refuses to bind a remote port that is already bound. */
	for (unsigned int i = 1; i < s->nports; i++)
		if (s->ports[i].up_fd >= 0 && s->ports[i].domid == domid)
			return -EINVAL;
	port = alloc_port(s);
	if (port < 0)
		return port;
	up = open_fifo(s, domid, "evtchn-up");
	if (up < 0)
		return up;
	down = open_fifo(s, domid, "evtchn-down");
	if (down < 0) {
		close(up);
		return down;
	}
	ev.data.u32 = (uint32_t)port;
	if (epoll_ctl(s->b.fd, EPOLL_CTL_ADD, up, &ev) < 0) {
		ret = -errno;
		close(up);
		close(down);
		return ret;
	}
	s->ports[port] = (struct sim_port){
		.up_fd = up, .down_fd = down, .domid = domid, .ready = false,
	};
	return port;
}

static void sim_unbind(struct backend *b, int local_port)
{
	struct sim *s = sim_of(b);
	struct sim_port *p;

	if (!port_bound(s, local_port))
		return;
	p = &s->ports[local_port];
	if (p->ready)
		s->nready--;
	close(p->up_fd); /* also leaves the epoll set */
	close(p->down_fd);
	*p = (struct sim_port){ .up_fd = -1, .down_fd = -1 };
}

static int sim_notify(struct backend *b, int local_port)
{
	struct sim *s = sim_of(b);
	const char byte = 1;

	if (!port_bound(s, local_port))
		return -EINVAL;
	for (;;) {
		if (write(s->ports[local_port].down_fd, &byte, 1) == 1)
			return 0;
		if (errno == EINTR)
			continue;
		/* A full FIFO already holds a notification. */
		return errno == EAGAIN ? 0 : -errno;
	}
}

/* Read and discard what a FIFO holds (bounded, so a busy writer can't
 * keep us here: what is left keeps the fd readable). */
static void drain(int fd)
{
	char buf[512];

	for (int i = 0; i < SIM_DRAIN_MAX; i++) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < (ssize_t)sizeof(buf))
			return;
	}
}

/* Note what epoll reports as readable now (never waits). */
static int collect(struct sim *s)
{
	struct epoll_event evs[SIM_EVENTS_MAX];
	int n;

	do
		n = epoll_wait(s->b.fd, evs, SIM_EVENTS_MAX, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	for (int i = 0; i < n; i++) {
		uint32_t tag = evs[i].data.u32;

		if (tag == SIM_VIRQ_TAG) {
			s->virq_ready = true;
		} else if (port_bound(s, (int)tag) && !s->ports[tag].ready) {
			s->ports[tag].ready = true;
			s->nready++;
		}
	}
	return 0;
}

/*
 * One event per call.  Everything epoll reported in one batch is handed
 * out before epoll is asked again, ports in round-robin order from where
 * the last call stopped, so a guest that signals constantly cannot starve
 * the others.  A FIFO is drained just before its port is returned: a
 * notification written after that makes it readable again.
 */
static int sim_pending(struct backend *b)
{
	struct sim *s = sim_of(b);

	if (!s->virq_ready && s->nready == 0) {
		int ret = collect(s);

		if (ret < 0)
			return ret;
	}
	if (s->virq_ready) {
		s->virq_ready = false;
		drain(s->virq_fd);
		return BACKEND_VIRQ;
	}
	for (unsigned int i = 0; s->nready > 0 && i < s->nports; i++) {
		unsigned int port = (s->cursor + i) % s->nports;
		struct sim_port *p = &s->ports[port];

		if (p->up_fd >= 0 && p->ready) {
			p->ready = false;
			s->nready--;
			s->cursor = port + 1;
			drain(p->up_fd);
			return (int)port;
		}
	}
	return -EAGAIN;
}

static void sim_close(struct backend *b)
{
	struct sim *s;

	if (!b)
		return;
	s = sim_of(b);
	for (unsigned int i = 1; i < s->nports; i++)
		sim_unbind(b, (int)i);
	for (size_t i = 0; i < s->nmaps; i++)
		munmap(s->maps[i].page, SIM_PAGE_SIZE);
	if (s->virq_fd >= 0)
		close(s->virq_fd);
	if (s->b.fd >= 0)
		close(s->b.fd);
	if (s->dir_fd >= 0)
		close(s->dir_fd);
	free(s->ports);
	free(s->maps);
	free(s);
}

static const struct backend_ops sim_ops = {
	.name = "sim",
	.map_ring = sim_map_ring,
	.unmap_ring = sim_unmap_ring,
	.bind = sim_bind,
	.unbind = sim_unbind,
	.notify = sim_notify,
	.pending = sim_pending,
	.domain_state = sim_domain_state,
	.close = sim_close,
};

int backend_sim_open(const char *dir, struct backend **out)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = SIM_VIRQ_TAG };
	struct stat st;
	struct sim *s;
	int ret;

	if (!dir || !*dir)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->b.ops = &sim_ops;
	s->b.priv = s;
	s->virq_fd = -1;
	s->dir_fd = -1;
	s->b.fd = epoll_create1(EPOLL_CLOEXEC);
	if (s->b.fd < 0)
		goto fail;
	if (mkdir(dir, 0777) < 0 && errno != EEXIST)
		goto fail;
	s->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->dir_fd < 0)
		goto fail;
	if (mkfifoat(s->dir_fd, "virq", 0666) < 0 && errno != EEXIST)
		goto fail;
	s->virq_fd = openat(s->dir_fd, "virq",
			    O_RDWR | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (s->virq_fd < 0)
		goto fail;
	if (fstat(s->virq_fd, &st) < 0)
		goto fail;
	if (!S_ISFIFO(st.st_mode)) {
		errno = EEXIST; /* something else has the name */
		goto fail;
	}
	if (epoll_ctl(s->b.fd, EPOLL_CTL_ADD, s->virq_fd, &ev) < 0)
		goto fail;
	*out = &s->b;
	return 0;
fail:
	ret = -errno;
	sim_close(&s->b);
	return ret;
}
