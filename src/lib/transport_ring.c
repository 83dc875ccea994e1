/* SPDX-License-Identifier: MIT */
/*
 * Guest ring transport for the simulated hypervisor (docs/sim.md): the
 * process acts as guest N and talks to the daemon through the shared ring
 * page DIR/dom<N>/ring (struct xs_ring_page, mapped MAP_SHARED) and the
 * event-channel FIFOs DIR/dom<N>/evtchn-up (our notifications) and
 * evtchn-down (the daemon's), as a guest kernel's xenbus driver does with
 * a real page and event channel.  Owns the mapping, the three descriptors,
 * a lock that keeps other handles off the same ring, and two wake-up
 * eventfds; knows nothing about messages: it is a byte stream like
 * transport_fd.c, so the engine in talk.c works on it unchanged.
 *
 * Ring rules (docs/misc/xenstore-ring.txt in Xen): indexes are free-running
 * uint32 byte counts, taken modulo XS_RING_SIZE, and need not start at 0.
 * The producer writes data, then publishes the producer index (release),
 * then notifies; the consumer loads the producer index (acquire), copies
 * the data, publishes its consumer index (release, after the copy), then
 * notifies.  We keep our own indexes (req_prod, rsp_cons) locally and only
 * ever store them to the page: the daemon's indexes are read once per step
 * and checked (producer more than XS_RING_SIZE ahead of consumer is a
 * violation: EIO).  A daemon that sets the connection error indicator
 * (advertised by XS_FEATURE_ERROR) also ends the connection with EIO.
 *
 * Two threads may wait at once: the library's reader (for response bytes)
 * and a requester (for request-ring space).  Both are woken by the single
 * evtchn-down FIFO, and a notification drained by one may be the one the
 * other was waiting for.  So whoever drains evtchn-down kicks the other
 * role's eventfd, and each role polls evtchn-down plus its own eventfd;
 * every waiter drains, then checks the ring, then polls, so no wake-up is
 * lost.  Cancellation (the library cancels its reader thread from
 * xs_close()) can only act on entry to a read and inside poll(), never
 * with the ring half updated.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "xs_handle.h"

/* The page as docs/misc/xenstore-ring.txt lays it out. */
_Static_assert(offsetof(struct xs_ring_page, rsp) == 1024, "rsp ring");
_Static_assert(offsetof(struct xs_ring_page, req_cons) == 2048, "req_cons");
_Static_assert(offsetof(struct xs_ring_page, rsp_prod) == 2060, "rsp_prod");
_Static_assert(offsetof(struct xs_ring_page, server_features) == 2064,
	       "server_features");
_Static_assert(offsetof(struct xs_ring_page, connection) == 2068,
	       "connection");
_Static_assert(offsetof(struct xs_ring_page, error) == 2072, "error");

#define RING_PAGE_SIZE 4096u
_Static_assert(sizeof(struct xs_ring_page) <= RING_PAGE_SIZE, "page size");

/* How long xs_open() waits for a reconnection in progress to finish. */
#define RING_CONNECT_TIMEOUT_MS 5000

/* Domain ids a simulated guest may have (docs/sim.md). */
#define SIM_DOMID_MAX 32751u

/*
 * Guest-side ownership lock: a write lock on this byte of the ring file
 * (past the page, so the daemon's use of the file is untouched), held as
 * long as the handle is open.  One byte stream cannot be shared by two
 * handles, in this process or another.
 */
#define RING_LOCK_OFFSET RING_PAGE_SIZE

enum ring_role { ROLE_READ, ROLE_WRITE };

struct ring_transport {
	struct xs_ring_page *page; /* the shared page (RING_PAGE_SIZE) */
	int ring_fd;		   /* the ring file; carries the lock */
	int up_fd;		   /* evtchn-up: we notify the daemon */
	int down_fd;		   /* evtchn-down: the daemon notifies us */
	int wake_fd[2];		   /* eventfd per role, see above */
	bool broken;		   /* atomic: a violation was seen */
	uint32_t req_prod;	   /* ours; only the writer touches it */
	uint32_t rsp_cons;	   /* ours; only the reader touches it */
};

static uint32_t load_acquire(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void store_release(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/* Read everything pending on a non-blocking fd.  True if anything was. */
static bool drain(int fd)
{
	char buf[64]; /* >= 8, for an eventfd */
	bool any = false;
	ssize_t n;

	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n > 0)
			any = true;
		else if (n == 0 || errno != EINTR)
			return any;
	}
}

/* One byte to evtchn-up.  A full FIFO already holds a notification. */
static void notify(struct ring_transport *rt)
{
	char c = 1;

	while (write(rt->up_fd, &c, 1) < 0 && errno == EINTR)
		;
}

static void kick(int fd)
{
	uint64_t one = 1;

	while (write(fd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
}

static bool is_broken(struct ring_transport *rt)
{
	return __atomic_load_n(&rt->broken, __ATOMIC_ACQUIRE);
}

/* Remember a violation and wake the other role so it fails too. */
static int set_broken(struct ring_transport *rt, enum ring_role role)
{
	__atomic_store_n(&rt->broken, true, __ATOMIC_RELEASE);
	kick(rt->wake_fd[!role]);
	return -EIO;
}

/* The daemon reports that it stopped serving us. */
static bool daemon_failed(struct ring_transport *rt)
{
	uint32_t features = load_acquire(&rt->page->server_features);

	return (features & XS_FEATURE_ERROR) &&
	       load_acquire(&rt->page->error) != XS_ERROR_NONE;
}

/*
 * Bytes the role can move now (response bytes to read, request-ring space
 * to write) into *count, or -EIO if the ring is unusable.
 */
static int ring_ready(struct ring_transport *rt, enum ring_role role,
		      uint32_t *count)
{
	uint32_t used;

	if (is_broken(rt))
		return -EIO;
	if (daemon_failed(rt))
		return set_broken(rt, role);
	if (role == ROLE_READ) {
		/* Acquire: the data is read only after the index. */
		used = load_acquire(&rt->page->rsp_prod) - rt->rsp_cons;
		if (used > XS_RING_SIZE)
			return set_broken(rt, role);
		*count = used;
	} else {
		/* Acquire: we overwrite bytes only once they were consumed. */
		used = rt->req_prod - load_acquire(&rt->page->req_cons);
		if (used > XS_RING_SIZE)
			return set_broken(rt, role);
		*count = XS_RING_SIZE - used;
	}
	return 0;
}

/*
 * Wait until ring_ready() gives a non-zero count.  Called with
 * cancellation disabled; cancel_state is the caller's own state, restored
 * around poll() only.  Returns 0 or -errno.
 */
static int ring_wait(struct ring_transport *rt, enum ring_role role,
		     int cancel_state, uint32_t *count)
{
	struct pollfd pfd[2] = {
		{.fd = rt->down_fd, .events = POLLIN},
		{.fd = rt->wake_fd[role], .events = POLLIN},
	};
	int ret, err, old;

	ret = ring_ready(rt, role, count);
	while (ret == 0 && *count == 0) {
		/* Drain, then check, then sleep: nothing is missed. */
		if (drain(rt->down_fd))
			kick(rt->wake_fd[!role]);
		drain(rt->wake_fd[role]);
		ret = ring_ready(rt, role, count);
		if (ret != 0 || *count != 0)
			break;
		pthread_setcancelstate(cancel_state, &old);
		ret = poll(pfd, 2, -1);
		err = errno;
		pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
		if (ret < 0 && err != EINTR)
			return -err;
		ret = 0;
	}
	return ret;
}

static ssize_t ring_read(void *ctx, void *buf, size_t len)
{
	struct ring_transport *rt = ctx;
	const char *ring = rt->page->rsp;
	uint32_t avail, off, first;
	int ret, cancel_state;

	if (len == 0)
		return 0;
	/*
	 * Like read(2), a cancellation point even when data is waiting: a
	 * daemon that never lets the ring run dry cannot keep xs_close()
	 * from stopping the reader thread.  A no-op if the caller disabled
	 * cancellation.
	 */
	pthread_testcancel();
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel_state);
	ret = ring_wait(rt, ROLE_READ, cancel_state, &avail);
	if (ret == 0) {
		if (avail > len)
			avail = (uint32_t)len;
		off = XS_RING_IDX(rt->rsp_cons);
		first = XS_RING_SIZE - off < avail ? XS_RING_SIZE - off : avail;
		memcpy(buf, ring + off, first);
		memcpy((char *)buf + first, ring, avail - first);
		rt->rsp_cons += avail;
		/* Release: the copy is done before the space is handed back. */
		store_release(&rt->page->rsp_cons, rt->rsp_cons);
		notify(rt);
	}
	pthread_setcancelstate(cancel_state, &cancel_state);
	if (ret != 0) {
		errno = -ret;
		return -1;
	}
	return (ssize_t)avail;
}

static ssize_t ring_write(void *ctx, const void *buf, size_t len)
{
	struct ring_transport *rt = ctx;
	char *ring = rt->page->req;
	uint32_t space, off, first;
	int ret, cancel_state;

	if (len == 0)
		return 0;
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel_state);
	ret = ring_wait(rt, ROLE_WRITE, cancel_state, &space);
	if (ret == 0) {
		if (space > len)
			space = (uint32_t)len;
		off = XS_RING_IDX(rt->req_prod);
		first = XS_RING_SIZE - off < space ? XS_RING_SIZE - off : space;
		memcpy(ring + off, buf, first);
		memcpy(ring, (const char *)buf + first, space - first);
		rt->req_prod += space;
		/* Release: the data is in place before the index says so. */
		store_release(&rt->page->req_prod, rt->req_prod);
		notify(rt);
	}
	pthread_setcancelstate(cancel_state, &cancel_state);
	if (ret != 0) {
		errno = -ret;
		return -1;
	}
	return (ssize_t)space;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void ring_free(struct ring_transport *rt)
{
	if (rt->page)
		munmap(rt->page, RING_PAGE_SIZE);
	close_fd(&rt->down_fd);
	close_fd(&rt->up_fd);
	close_fd(&rt->wake_fd[0]);
	close_fd(&rt->wake_fd[1]);
	close_fd(&rt->ring_fd); /* releases the lock */
	free(rt);
}

static void ring_close(void *ctx)
{
	ring_free(ctx);
}

static const struct xs__transport_ops ring_ops = {
	.name = "ring",
	.read = ring_read,
	.write = ring_write,
	.close = ring_close,
};

/* A FIFO of the sim layout, opened as docs/sim.md requires. */
static int open_fifo(const char *path)
{
	struct stat st;
	int fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	/* Anything else would be always readable: a busy loop. */
	if (fstat(fd, &st) != 0 || !S_ISFIFO(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	return fd;
}

/* The ring file: locked, checked to be a whole page, mapped. */
static int open_ring(struct ring_transport *rt, const char *path)
{
	struct flock lk = {
		.l_type = F_WRLCK,
		.l_whence = SEEK_SET,
		.l_start = RING_LOCK_OFFSET,
		.l_len = 1,
	};
	struct stat st;
	void *p;

	rt->ring_fd = open(path, O_RDWR | O_CLOEXEC);
	if (rt->ring_fd < 0)
		return -errno;
	if (fcntl(rt->ring_fd, F_OFD_SETLK, &lk) != 0)
		return errno == EAGAIN || errno == EACCES ? -EBUSY : -errno;
	if (fstat(rt->ring_fd, &st) != 0)
		return -errno;
	/* A shorter file would fault (SIGBUS) on access. */
	if (!S_ISREG(st.st_mode) || st.st_size < (off_t)RING_PAGE_SIZE)
		return -EINVAL;
	p = mmap(NULL, RING_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		 rt->ring_fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	rt->page = p;
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * A reconnection is in progress (we may find the state set by someone
 * else when we start): ignore everything but the connection state until
 * the daemon sets it back to connected and signals us.  Bounded.
 */
static int wait_connected(struct ring_transport *rt)
{
	struct pollfd pfd = {.fd = rt->down_fd, .events = POLLIN};
	int64_t deadline = now_ms() + RING_CONNECT_TIMEOUT_MS;
	int64_t left;

	for (;;) {
		drain(rt->down_fd);
		if (load_acquire(&rt->page->connection) == XS_CONNECTED)
			return 0;
		left = deadline - now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR)
			return -errno;
	}
}

/* Strict decimal domain id of a simulated guest, or -1. */
static long parse_domid(const char *s)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 1 || v > (long)SIM_DOMID_MAX)
		return -1;
	return v;
}

bool xs__transport_ring_wanted(void)
{
	const char *dir = getenv("XENSTORE_SIM_DIR");
	const char *domid = getenv("XENSTORE_SIM_DOMID");

	return dir && *dir && domid && *domid;
}

int xs__transport_ring_open(struct xs__transport *out)
{
	const char *dir = getenv("XENSTORE_SIM_DIR");
	const char *domid_s = getenv("XENSTORE_SIM_DOMID");
	struct ring_transport *rt;
	char path[PATH_MAX];
	size_t base;
	long domid;
	int ret;

	if (!dir || !*dir || !domid_s)
		return -EINVAL;
	domid = parse_domid(domid_s);
	if (domid < 0)
		return -EINVAL;
	ret = snprintf(path, sizeof(path), "%s/dom%ld/", dir, domid);
	/* Room for the longest leaf name, "evtchn-down". */
	if (ret < 0 || (size_t)ret + sizeof("evtchn-down") > sizeof(path))
		return -ENAMETOOLONG;
	base = (size_t)ret;

	rt = calloc(1, sizeof(*rt));
	if (!rt)
		return -ENOMEM;
	rt->ring_fd = rt->up_fd = rt->down_fd = -1;
	rt->wake_fd[0] = rt->wake_fd[1] = -1;

	strcpy(path + base, "ring");
	ret = open_ring(rt, path);
	if (ret == 0) {
		strcpy(path + base, "evtchn-up");
		ret = rt->up_fd = open_fifo(path);
	}
	if (ret >= 0) {
		strcpy(path + base, "evtchn-down");
		ret = rt->down_fd = open_fifo(path);
	}
	for (int i = 0; i < 2 && ret >= 0; i++) {
		ret = rt->wake_fd[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (ret < 0)
			ret = -errno;
	}
	if (ret >= 0) {
		/* Someone asked for a reconnection: make sure the daemon hears. */
		if (load_acquire(&rt->page->connection) != XS_CONNECTED)
			notify(rt);
		ret = wait_connected(rt);
	}
	/*
	 * One process at a time owns a guest's ring, as one kernel owns
	 * /dev/xen/xenbus: start from a clean connection, so watches and
	 * transactions of an earlier process, and replies it never read, do
	 * not leak into this one.  Needs the daemon's reconnection feature;
	 * a ring the daemon stopped for an error stays stopped.
	 */
	if (ret >= 0 && (load_acquire(&rt->page->server_features) &
			 XS_FEATURE_RECONNECTION) &&
	    load_acquire(&rt->page->error) == XS_ERROR_NONE) {
		store_release(&rt->page->connection, XS_RECONNECT);
		notify(rt);
		ret = wait_connected(rt);
	}
	if (ret < 0) {
		ring_free(rt);
		return ret;
	}
	/* Indexes need not start at 0: continue from where they are. */
	rt->req_prod = load_acquire(&rt->page->req_prod);
	rt->rsp_cons = load_acquire(&rt->page->rsp_cons);
	out->ops = &ring_ops;
	out->ctx = rt;
	return 0;
}
