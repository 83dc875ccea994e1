/* SPDX-License-Identifier: MIT */
/*
 * ring_poke: a test helper for the simulated hypervisor (docs/sim.md) that
 * does to a guest's shared ring page what a hostile or clumsy guest could,
 * and speaks raw XenStore messages where no tool does.
 *
 *   ring_poke RING get FIELD        print a uint32 field of the page
 *   ring_poke RING set FIELD VALUE  store one (VALUE decimal or 0x...)
 *   ring_poke notify FIFO [COUNT]   write COUNT (default 1) single bytes
 *                                   to an event-channel FIFO
 *   ring_poke msg [OPTIONS] TYPE [ARG...]
 *                                   send one request and print the reply
 *
 * FIELD is one of req_cons req_prod rsp_cons rsp_prod server_features
 * connection error evtchn (offsets 2048.. of include/xenstore/wire.h's
 * struct xs_ring_page); the page is mapped MAP_SHARED like the daemon's.
 *
 * msg sends TYPE (a name such as INTRODUCE or IS_DOMAIN_INTRODUCED, or a
 * number) with the ARGs as payload, each followed by a NUL (for WRITE the
 * last one is not), over the Unix socket $XENSTORED_PATH (dom0), or with
 * -g DIR DOMID as guest DOMID over DIR/dom<DOMID>/ring and its FIFOs,
 * locking the ring the way the library does.  It prints the reply as one
 * line, "<TYPE> <field> <field>..." (the payload split at its NULs), and
 * with -e N also the first N watch events that arrive (before or after the
 * reply), in arrival order, as "WATCH_EVENT <path> <token>", each line
 * flushed at once.  Options: -e N events to wait for, -t SEC overall time
 * limit (default 5), -T ID tx_id, -l LEN a header length other than the
 * payload's (a lie, to test the daemon's checks).
 *
 * Exit status: 0 a reply came, 3 it was an ERROR, 1 no reply (time limit,
 * connection lost, ring error indicator set: the message says which), 2
 * usage or set-up error.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "xenstore/wire.h"

#define PAGE_SIZE_SIM 4096u
#define RING_LOCK_OFFSET 4096 /* the library's ownership lock byte */

static const char *prog = "ring_poke";

static const struct {
	const char *name;
	size_t off;
} fields[] = {
	{"req_cons", offsetof(struct xs_ring_page, req_cons)},
	{"req_prod", offsetof(struct xs_ring_page, req_prod)},
	{"rsp_cons", offsetof(struct xs_ring_page, rsp_cons)},
	{"rsp_prod", offsetof(struct xs_ring_page, rsp_prod)},
	{"server_features", offsetof(struct xs_ring_page, server_features)},
	{"connection", offsetof(struct xs_ring_page, connection)},
	{"error", offsetof(struct xs_ring_page, error)},
	{"evtchn", offsetof(struct xs_ring_page, evtchn)},
};

static const char *const type_names[XS_TYPE_COUNT] = {
	[XS_CONTROL] = "CONTROL",
	[XS_DIRECTORY] = "DIRECTORY",
	[XS_READ] = "READ",
	[XS_GET_PERMS] = "GET_PERMS",
	[XS_WATCH] = "WATCH",
	[XS_UNWATCH] = "UNWATCH",
	[XS_TRANSACTION_START] = "TRANSACTION_START",
	[XS_TRANSACTION_END] = "TRANSACTION_END",
	[XS_INTRODUCE] = "INTRODUCE",
	[XS_RELEASE] = "RELEASE",
	[XS_GET_DOMAIN_PATH] = "GET_DOMAIN_PATH",
	[XS_WRITE] = "WRITE",
	[XS_MKDIR] = "MKDIR",
	[XS_RM] = "RM",
	[XS_SET_PERMS] = "SET_PERMS",
	[XS_WATCH_EVENT] = "WATCH_EVENT",
	[XS_ERROR] = "ERROR",
	[XS_IS_DOMAIN_INTRODUCED] = "IS_DOMAIN_INTRODUCED",
	[XS_RESUME] = "RESUME",
	[XS_SET_TARGET] = "SET_TARGET",
	[XS_RESTRICT] = "RESTRICT",
	[XS_RESET_WATCHES] = "RESET_WATCHES",
	[XS_DIRECTORY_PART] = "DIRECTORY_PART",
	[XS_GET_FEATURE] = "GET_FEATURE",
	[XS_SET_FEATURE] = "SET_FEATURE",
	[XS_GET_QUOTA] = "GET_QUOTA",
	[XS_SET_QUOTA] = "SET_QUOTA",
};

static int usage(void)
{
	fprintf(stderr,
		"usage: %s RING get FIELD\n"
		"       %s RING set FIELD VALUE\n"
		"       %s notify FIFO [COUNT]\n"
		"       %s msg [-g DIR DOMID] [-e N] [-t SEC] [-T TXID] [-l LEN]"
		" TYPE [ARG...]\n",
		prog, prog, prog, prog);
	return 2;
}

static bool parse_u32(const char *s, uint32_t *out)
{
	char *end;
	unsigned long long v;

	if (!*s || *s == '-')
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Map a ring file (exactly one page) read-write and shared. */
static struct xs_ring_page *map_ring(const char *path, int *fd_out)
{
	struct stat st;
	void *p;
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size != (off_t)PAGE_SIZE_SIM) {
		fprintf(stderr, "%s: %s: not a %u-byte ring file\n", prog, path,
			PAGE_SIZE_SIM);
		close(fd);
		return NULL;
	}
	p = mmap(NULL, PAGE_SIZE_SIM, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		fprintf(stderr, "%s: mmap %s: %s\n", prog, path, strerror(errno));
		close(fd);
		return NULL;
	}
	if (fd_out)
		*fd_out = fd;
	else
		close(fd);
	return p;
}

static uint32_t *field_ptr(struct xs_ring_page *pg, const char *name)
{
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (strcmp(fields[i].name, name) == 0)
			return (uint32_t *)((char *)pg + fields[i].off);
	return NULL;
}

static int cmd_field(int argc, char **argv)
{
	const char *path = argv[0], *op = argv[1];
	struct xs_ring_page *pg;
	uint32_t *f, v = 0;
	bool set = strcmp(op, "set") == 0;

	if ((!set && strcmp(op, "get") != 0) || argc != (set ? 4 : 3))
		return usage();
	if (set && !parse_u32(argv[3], &v)) {
		fprintf(stderr, "%s: bad value %s\n", prog, argv[3]);
		return 2;
	}
	pg = map_ring(path, NULL);
	if (!pg)
		return 2;
	f = field_ptr(pg, argv[2]);
	if (!f) {
		fprintf(stderr, "%s: unknown field %s\n", prog, argv[2]);
		munmap(pg, PAGE_SIZE_SIM);
		return 2;
	}
	if (set)
		__atomic_store_n(f, v, __ATOMIC_SEQ_CST);
	else
		printf("%u\n", (unsigned int)__atomic_load_n(f, __ATOMIC_SEQ_CST));
	munmap(pg, PAGE_SIZE_SIM);
	return 0;
}

/* A FIFO of the sim layout, opened as docs/sim.md requires. */
static int open_fifo(const char *path)
{
	struct stat st;
	int fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISFIFO(st.st_mode)) {
		fprintf(stderr, "%s: %s: not a FIFO\n", prog, path);
		close(fd);
		return -1;
	}
	return fd;
}

/* One byte to a FIFO; a full FIFO already holds a notification. */
static void notify_fd(int fd)
{
	char c = 1;

	while (write(fd, &c, 1) < 0 && errno == EINTR)
		;
}

/* Drain a non-blocking FIFO. */
static void drain(int fd)
{
	char buf[256];

	while (read(fd, buf, sizeof(buf)) > 0 || errno == EINTR)
		;
}

static int cmd_notify(int argc, char **argv)
{
	uint32_t count = 1, done = 0;
	int64_t deadline = now_ms() + 10000;
	int fd;

	if (argc < 1 || argc > 2 || (argc == 2 && !parse_u32(argv[1], &count)))
		return usage();
	fd = open_fifo(argv[0]);
	if (fd < 0)
		return 2;
	/* One write per byte: each is a notification of its own. */
	while (done < count) {
		char c = 1;
		ssize_t n = write(fd, &c, 1);

		if (n == 1) {
			done++;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN) {
			fprintf(stderr, "%s: write %s: %s\n", prog, argv[0],
				strerror(errno));
			close(fd);
			return 1;
		}
		/* Full: wait for the reader to drain it. */
		struct pollfd pfd = {.fd = fd, .events = POLLOUT};
		int64_t left = deadline - now_ms();
		if (left <= 0) {
			fprintf(stderr, "%s: %s stayed full; %u of %u written\n",
				prog, argv[0], done, count);
			close(fd);
			return 1;
		}
		poll(&pfd, 1, (int)(left < 100 ? left : 100));
	}
	close(fd);
	return 0;
}

/* ---- msg: one request, over the socket or a guest's ring ---------------- */

struct chan {
	int sock;		 /* socket mode: >= 0 */
	struct xs_ring_page *pg; /* ring mode */
	int ring_fd, up_fd, down_fd;
	uint32_t req_prod, rsp_cons; /* ours */
	int64_t deadline;
	const char *why; /* why the last operation failed */
};

static bool ring_broken(struct chan *c)
{
	uint32_t err = __atomic_load_n(&c->pg->error, __ATOMIC_ACQUIRE);
	static char buf[64];

	if (err == XS_ERROR_NONE)
		return false;
	snprintf(buf, sizeof(buf), "ring error indicator %u", (unsigned int)err);
	c->why = buf;
	return true;
}

/* Wait for a notification (or the deadline).  False on timeout. */
static bool ring_wait(struct chan *c)
{
	struct pollfd pfd = {.fd = c->down_fd, .events = POLLIN};
	int64_t left = c->deadline - now_ms();

	if (left <= 0) {
		c->why = "time limit reached";
		return false;
	}
	/* Short sleeps: a lost notification costs at most 50 ms. */
	poll(&pfd, 1, (int)(left < 50 ? left : 50));
	drain(c->down_fd);
	return true;
}

static bool ring_write_all(struct chan *c, const char *buf, size_t len)
{
	while (len) {
		if (ring_broken(c))
			return false;
		uint32_t cons = __atomic_load_n(&c->pg->req_cons, __ATOMIC_ACQUIRE);
		uint32_t used = c->req_prod - cons;
		if (used > XS_RING_SIZE) {
			c->why = "daemon's req_cons is out of range";
			return false;
		}
		uint32_t space = XS_RING_SIZE - used;
		if (space == 0) {
			if (!ring_wait(c))
				return false;
			continue;
		}
		if (space > len)
			space = (uint32_t)len;
		for (uint32_t i = 0; i < space; i++)
			c->pg->req[XS_RING_IDX(c->req_prod + i)] = buf[i];
		c->req_prod += space;
		__atomic_store_n(&c->pg->req_prod, c->req_prod, __ATOMIC_RELEASE);
		notify_fd(c->up_fd);
		buf += space;
		len -= space;
	}
	return true;
}

static bool ring_read_all(struct chan *c, char *buf, size_t len)
{
	while (len) {
		if (ring_broken(c))
			return false;
		uint32_t prod = __atomic_load_n(&c->pg->rsp_prod, __ATOMIC_ACQUIRE);
		uint32_t avail = prod - c->rsp_cons;
		if (avail > XS_RING_SIZE) {
			c->why = "daemon's rsp_prod is out of range";
			return false;
		}
		if (avail == 0) {
			if (!ring_wait(c))
				return false;
			continue;
		}
		if (avail > len)
			avail = (uint32_t)len;
		for (uint32_t i = 0; i < avail; i++)
			buf[i] = c->pg->rsp[XS_RING_IDX(c->rsp_cons + i)];
		c->rsp_cons += avail;
		__atomic_store_n(&c->pg->rsp_cons, c->rsp_cons, __ATOMIC_RELEASE);
		notify_fd(c->up_fd);
		buf += avail;
		len -= avail;
	}
	return true;
}

static bool sock_write_all(struct chan *c, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = send(c->sock, buf, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			c->why = "connection lost while sending";
			return false;
		}
		buf += n;
		len -= (size_t)n;
	}
	return true;
}

static bool sock_read_all(struct chan *c, char *buf, size_t len)
{
	while (len) {
		struct pollfd pfd = {.fd = c->sock, .events = POLLIN};
		int64_t left = c->deadline - now_ms();
		if (left <= 0) {
			c->why = "time limit reached";
			return false;
		}
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		ssize_t n = recv(c->sock, buf, len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			c->why = "connection closed by the daemon";
			return false;
		}
		buf += n;
		len -= (size_t)n;
	}
	return true;
}

static bool chan_write(struct chan *c, const char *buf, size_t len)
{
	return c->sock >= 0 ? sock_write_all(c, buf, len)
			    : ring_write_all(c, buf, len);
}

static bool chan_read(struct chan *c, char *buf, size_t len)
{
	return c->sock >= 0 ? sock_read_all(c, buf, len)
			    : ring_read_all(c, buf, len);
}

static int open_socket(struct chan *c)
{
	const char *path = getenv("XENSTORED_PATH");
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	if (!path || !*path)
		path = "/run/xenstored/socket";
	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "%s: socket path too long\n", prog);
		return -1;
	}
	strcpy(sa.sun_path, path);
	c->sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->sock < 0 || connect(c->sock, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		fprintf(stderr, "%s: connect %s: %s\n", prog, path, strerror(errno));
		return -1;
	}
	return 0;
}

static int open_guest(struct chan *c, const char *dir, const char *domid)
{
	char path[4096];
	struct flock lk = {
		.l_type = F_WRLCK,
		.l_whence = SEEK_SET,
		.l_start = RING_LOCK_OFFSET,
		.l_len = 1,
	};

	snprintf(path, sizeof(path), "%s/dom%s/ring", dir, domid);
	c->pg = map_ring(path, &c->ring_fd);
	if (!c->pg)
		return -1;
	/* One user of a ring at a time, as the library's transport. */
	if (fcntl(c->ring_fd, F_OFD_SETLK, &lk) != 0) {
		fprintf(stderr, "%s: %s is in use\n", prog, path);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/dom%s/evtchn-up", dir, domid);
	c->up_fd = open_fifo(path);
	snprintf(path, sizeof(path), "%s/dom%s/evtchn-down", dir, domid);
	c->down_fd = open_fifo(path);
	if (c->up_fd < 0 || c->down_fd < 0)
		return -1;
	/* Indexes need not start at 0: go on from where they are. */
	c->req_prod = __atomic_load_n(&c->pg->req_prod, __ATOMIC_ACQUIRE);
	c->rsp_cons = __atomic_load_n(&c->pg->rsp_cons, __ATOMIC_ACQUIRE);
	return 0;
}

static bool parse_type(const char *s, uint32_t *type)
{
	for (uint32_t i = 0; i < XS_TYPE_COUNT; i++)
		if (type_names[i] && strcmp(type_names[i], s) == 0) {
			*type = i;
			return true;
		}
	return parse_u32(s, type);
}

/* "<TYPE> <field> <field>...": the payload split at NULs. */
static void print_msg(const struct xs_msg_hdr *h, const char *body)
{
	uint32_t len = h->len;

	if (h->type < XS_TYPE_COUNT && type_names[h->type])
		fputs(type_names[h->type], stdout);
	else
		printf("TYPE%u", (unsigned int)h->type);
	if (len && body[len - 1] == '\0')
		len--;
	if (h->len)
		putchar(' ');
	for (uint32_t i = 0; i < len; i++)
		putchar(body[i] ? body[i] : ' ');
	putchar('\n');
	fflush(stdout);
}

static int cmd_msg(int argc, char **argv)
{
	struct chan c = {.sock = -1, .ring_fd = -1, .up_fd = -1, .down_fd = -1};
	const char *dir = NULL, *domid = NULL;
	uint32_t want_events = 0, secs = 5, txid = 0, fake_len = 0, type;
	bool have_len = false, got_reply = false;
	uint32_t events = 0;
	static char payload[XS_PAYLOAD_MAX + 1];
	static char body[XS_PAYLOAD_MAX + 1];
	size_t plen = 0;
	int i = 0, ret = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *o = argv[i];
		if (strcmp(o, "-g") == 0 && i + 2 < argc) {
			dir = argv[++i];
			domid = argv[++i];
		} else if (strcmp(o, "-e") == 0 && i + 1 < argc &&
			   parse_u32(argv[i + 1], &want_events)) {
			i++;
		} else if (strcmp(o, "-t") == 0 && i + 1 < argc &&
			   parse_u32(argv[i + 1], &secs) && secs > 0) {
			i++;
		} else if (strcmp(o, "-T") == 0 && i + 1 < argc &&
			   parse_u32(argv[i + 1], &txid)) {
			i++;
		} else if (strcmp(o, "-l") == 0 && i + 1 < argc &&
			   parse_u32(argv[i + 1], &fake_len)) {
			have_len = true;
			i++;
		} else {
			return usage();
		}
	}
	if (i == argc || !parse_type(argv[i], &type))
		return usage();
	for (int k = i + 1; k < argc; k++) {
		size_t n = strlen(argv[k]);
		bool nul = !(type == XS_WRITE && k == argc - 1);
		if (plen + n + nul > XS_PAYLOAD_MAX) {
			fprintf(stderr, "%s: payload over %u bytes\n", prog,
				XS_PAYLOAD_MAX);
			return 2;
		}
		memcpy(payload + plen, argv[k], n);
		plen += n;
		if (nul)
			payload[plen++] = '\0';
	}

	c.deadline = now_ms() + (int64_t)secs * 1000;
	if ((dir ? open_guest(&c, dir, domid) : open_socket(&c)) != 0) {
		ret = 2;
		goto out;
	}

	struct xs_msg_hdr h = {
		.type = type,
		.req_id = 0x7e570000u + ((uint32_t)getpid() & 0xffffu),
		.tx_id = txid,
		.len = have_len ? fake_len : (uint32_t)plen,
	};
	uint32_t req_id = h.req_id;
	if (!chan_write(&c, (const char *)&h, sizeof(h)) ||
	    !chan_write(&c, payload, plen)) {
		fprintf(stderr, "%s: %s\n", prog, c.why);
		goto out;
	}
	while (!got_reply || events < want_events) {
		if (!chan_read(&c, (char *)&h, sizeof(h))) {
			fprintf(stderr, "%s: %s\n", prog, c.why);
			goto out;
		}
		if (h.len > XS_PAYLOAD_MAX) {
			fprintf(stderr, "%s: daemon sent a %u-byte payload\n", prog,
				(unsigned int)h.len);
			goto out;
		}
		if (!chan_read(&c, body, h.len)) {
			fprintf(stderr, "%s: %s\n", prog, c.why);
			goto out;
		}
		body[h.len] = '\0';
		if (h.type == XS_WATCH_EVENT) {
			/* Events beyond those asked for are not ours to show. */
			if (events < want_events)
				print_msg(&h, body);
			events++;
			continue;
		}
		if (h.req_id != req_id) {
			fprintf(stderr, "%s: reply with req_id %u, not %u\n", prog,
				(unsigned int)h.req_id, (unsigned int)req_id);
			goto out;
		}
		print_msg(&h, body);
		got_reply = true;
		ret = h.type == XS_ERROR ? 3 : 0;
	}
out:
	if (!got_reply || events < want_events)
		ret = ret == 2 ? 2 : 1;
	if (c.sock >= 0)
		close(c.sock);
	if (c.pg)
		munmap(c.pg, PAGE_SIZE_SIM);
	if (c.up_fd >= 0)
		close(c.up_fd);
	if (c.down_fd >= 0)
		close(c.down_fd);
	if (c.ring_fd >= 0)
		close(c.ring_fd);
	return ret;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	if (strcmp(argv[1], "notify") == 0)
		return cmd_notify(argc - 2, argv + 2);
	if (strcmp(argv[1], "msg") == 0)
		return cmd_msg(argc - 2, argv + 2);
	if (argc < 4)
		return usage();
	return cmd_field(argc - 1, argv + 1);
}
