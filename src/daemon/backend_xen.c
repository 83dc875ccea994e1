/* SPDX-License-Identifier: MIT */
/*
 * The Xen backend: struct backend_ops (backend.h) on top of Xen's own
 * libraries - libxenevtchn for event channels and the VIRQ_DOM_EXC
 * interrupt, libxengnttab and libxenforeignmemory to map guests' ring
 * pages, libxenctrl to ask the hypervisor what state a domain is in.
 *
 * Owns one event channel handle (with the VIRQ_DOM_EXC binding and every
 * port bound through it), the grant and foreign-memory handles, one
 * control handle, and a table of the ring pages it has mapped, so that
 * unmap_ring() knows how each page was mapped.  All state hangs off the
 * struct backend handed out: no globals.  Depends on backend.h,
 * backend_xen.h and log.h only; nothing above the backend sees a Xen header.
 *
 * Built only with -DHAVE_XEN and in GNU C mode (mk/xen.mk): xenctrl.h pulls
 * in Xen public headers that need GNU extensions (anonymous unions, aligned
 * types) and refuse strict ISO C.  Without HAVE_XEN this file is empty and
 * backend_xen_none.c provides the entry points.  Nothing here can run
 * without a hypervisor; `make check-xen-build` only proves it compiles and
 * links cleanly with gcc and clang.
 */
#ifdef HAVE_XEN

#include "backend_xen.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xenctrl.h>
#include <xenevtchn.h>
#include <xenforeignmemory.h>
#include <xengnttab.h>
#include <xentoollog.h>

/* xenfs files through which Linux gives dom0 its own ring and port. */
#define XEN_XSD_KVA "/proc/xen/xsd_kva"
#define XEN_XSD_PORT "/proc/xen/xsd_port"

/* How a ring page was mapped, hence how it must be unmapped. */
enum xen_map_kind {
	XEN_MAP_GRANT,	 /* xengnttab_map_grant_ref(): one 4 KiB grant */
	XEN_MAP_FOREIGN, /* xenforeignmemory_map(): one 4 KiB frame */
	XEN_MAP_KVA,	 /* mmap() of /proc/xen/xsd_kva: len bytes */
};

struct xen_mapping {
	void *page;	/* the address handed to the caller: the lookup key */
	uint32_t domid; /* whose ring it is (checked, not trusted) */
	enum xen_map_kind kind;
	size_t len; /* bytes mapped; used by XEN_MAP_KVA only */
};

struct xen_backend {
	struct backend pub; /* handed out; pub.priv points back here */
	/*
	 * Every library handle logs through this logger, so it lives here
	 * and is freed after the last handle is closed.
	 */
	xentoollog_logger logger;
	bool quiet;	      /* an expected failure is under way: demote its messages */
	bool getinfo_failing; /* the last domain query failed: log once per streak */
	xenevtchn_handle *xce;	      /* never NULL once open */
	xc_interface *xch;	      /* never NULL once open */
	xengnttab_handle *xgt;	      /* NULL when the grant device is unavailable */
	xenforeignmemory_handle *xfm; /* NULL when foreign mapping is unavailable */
	int virq_port;		      /* local port of VIRQ_DOM_EXC, or -1 */
	struct xen_mapping *maps;     /* live ring mappings, unordered */
	size_t nmaps;		      /* entries in use */
	size_t cap;		      /* entries allocated */
};

static const struct backend_ops xen_ops;

/* errno as a negative return value; never 0, even if a library forgot errno. */
static int neg_errno(void)
{
	return errno > 0 ? -errno : -EIO;
}

/*
 * Library messages go to the daemon's log rather than to stderr, which is
 * /dev/null once the daemon has detached.
 */
static void xen_log_vmessage(xentoollog_logger *logger,
			     xentoollog_level level, int errnoval,
			     const char *context, const char *format,
			     va_list al) __attribute__((format(printf, 5, 0)));

static void xen_log_vmessage(xentoollog_logger *logger,
			     xentoollog_level level, int errnoval,
			     const char *context, const char *format,
			     va_list al)
{
	const struct xen_backend *xb =
		(const struct xen_backend *)(const void *)((const char *)logger -
							   offsetof(struct xen_backend,
								    logger));
	enum log_level lvl;
	char msg[512];

	if (xb->quiet || level < XTL_INFO)
		lvl = LOG_LVL_DEBUG;
	else if (level < XTL_WARN)
		lvl = LOG_LVL_INFO;
	else if (level < XTL_ERROR)
		lvl = LOG_LVL_WARN;
	else
		lvl = LOG_LVL_ERR;
	vsnprintf(msg, sizeof(msg), format, al);
	if (errnoval > 0)
		log_msg(lvl, "xen %s: %s: %s", context ? context : "lib", msg,
			strerror(errnoval));
	else
		log_msg(lvl, "xen %s: %s", context ? context : "lib", msg);
}

/* The logger is part of struct xen_backend; xen_close() frees it. */
static void xen_log_destroy(xentoollog_logger *logger)
{
	(void)logger;
}

/* Make room for one more mapping, so that recording one cannot fail. */
static int xen_maps_reserve(struct xen_backend *xb)
{
	struct xen_mapping *maps;
	size_t cap;

	if (xb->nmaps < xb->cap)
		return 0;
	cap = xb->cap ? xb->cap * 2 : 16;
	if (cap < xb->cap || cap > SIZE_MAX / sizeof(*maps))
		return -ENOMEM;
	maps = realloc(xb->maps, cap * sizeof(*maps));
	if (!maps)
		return -ENOMEM;
	xb->maps = maps;
	xb->cap = cap;
	return 0;
}

/* Record a mapping; xen_maps_reserve() must have succeeded first. */
static void xen_maps_add(struct xen_backend *xb, void *page, uint32_t domid,
			 enum xen_map_kind kind, size_t len)
{
	xb->maps[xb->nmaps++] = (struct xen_mapping){
		.page = page, .domid = domid, .kind = kind, .len = len};
}

static void xen_unmap_one(struct xen_backend *xb, const struct xen_mapping *m)
{
	int rc = 0;

	switch (m->kind) {
	case XEN_MAP_GRANT:
		rc = xengnttab_unmap(xb->xgt, m->page, 1);
		break;
	case XEN_MAP_FOREIGN:
		rc = xenforeignmemory_unmap(xb->xfm, m->page, 1);
		break;
	case XEN_MAP_KVA:
		rc = munmap(m->page, m->len);
		break;
	}
	if (rc < 0)
		log_msg(LOG_LVL_WARN, "dom%" PRIu32 ": ring unmap failed: %s",
			m->domid, strerror(errno));
}

/* Map frame gfn of domid by number (privcmd): 0 and *out, or -errno. */
static int xen_map_foreign(struct xen_backend *xb, uint32_t domid,
			   uint64_t gfn, void **out)
{
	xen_pfn_t pfn = (xen_pfn_t)gfn;
	int perr = 0;
	void *p;

	if ((uint64_t)pfn != gfn)
		return -EINVAL; /* the frame number does not fit this platform */
	p = xenforeignmemory_map(xb->xfm, domid, PROT_READ | PROT_WRITE, 1,
				 &pfn, &perr);
	if (!p)
		return neg_errno();
	if (perr != 0) {
		/* Mapped the range but not the page: undo, report the page's error. */
		xenforeignmemory_unmap(xb->xfm, p, 1);
		return perr > 0 ? -perr : perr;
	}
	*out = p;
	return 0;
}

/*
 * The grant first: the toolstack grants the ring to the xenstore domain in
 * the reserved entry GNTTAB_RESERVED_XENSTORE, and a grant mapping needs no
 * right over the guest's memory as a whole.  Toolstacks that never filled
 * in that entry still give the frame number, so mapping it directly is the
 * fallback.
 */
static int xen_map_ring(struct backend *b, uint32_t domid, uint64_t gfn,
			void **page)
{
	struct xen_backend *xb = b->priv;
	enum xen_map_kind kind = XEN_MAP_GRANT;
	void *p = NULL;
	int err = -ENODEV; /* neither way of mapping is open */
	int rc;

	if (!page)
		return -EINVAL;
	*page = NULL;
	if (domid >= DOMID_FIRST_RESERVED)
		return -EINVAL;
	rc = xen_maps_reserve(xb);
	if (rc < 0)
		return rc;

	if (xb->xgt) {
		xb->quiet = xb->xfm != NULL; /* a failure here is not final */
		p = xengnttab_map_grant_ref(xb->xgt, domid,
					    GNTTAB_RESERVED_XENSTORE,
					    PROT_READ | PROT_WRITE);
		if (!p)
			err = neg_errno();
		xb->quiet = false;
	}
	if (!p && xb->xfm) {
		if (xb->xgt)
			log_msg(LOG_LVL_DEBUG,
				"dom%" PRIu32 ": grant %d not mapped (%s); mapping frame %#" PRIx64,
				domid, GNTTAB_RESERVED_XENSTORE, strerror(-err),
				gfn);
		kind = XEN_MAP_FOREIGN;
		err = xen_map_foreign(xb, domid, gfn, &p);
	}
	if (!p) {
		log_msg(LOG_LVL_WARN,
			"dom%" PRIu32 ": ring page not mapped (gfn %#" PRIx64 "): %s",
			domid, gfn, strerror(-err));
		return err;
	}
	xen_maps_add(xb, p, domid, kind, XC_PAGE_SIZE);
	*page = p;
	return 0;
}

static void xen_unmap_ring(struct backend *b, uint32_t domid, void *page)
{
	struct xen_backend *xb = b->priv;
	size_t i;

	if (!page)
		return;
	for (i = 0; i < xb->nmaps; i++)
		if (xb->maps[i].page == page)
			break;
	if (i == xb->nmaps) {
		log_msg(LOG_LVL_WARN,
			"dom%" PRIu32 ": unmap of a page this backend never mapped ignored",
			domid);
		return;
	}
	if (xb->maps[i].domid != domid)
		log_msg(LOG_LVL_WARN,
			"dom%" PRIu32 ": unmapping the ring of dom%" PRIu32,
			domid, xb->maps[i].domid);
	xen_unmap_one(xb, &xb->maps[i]);
	xb->maps[i] = xb->maps[--xb->nmaps];
}

static int xen_bind(struct backend *b, uint32_t domid, uint32_t remote_port)
{
	struct xen_backend *xb = b->priv;
	xenevtchn_port_or_error_t port;

	if (domid >= DOMID_FIRST_RESERVED)
		return -EINVAL;
	port = xenevtchn_bind_interdomain(xb->xce, domid, remote_port);
	if (port < 0)
		return neg_errno();
	return port;
}

static void xen_unbind(struct backend *b, int local_port)
{
	struct xen_backend *xb = b->priv;

	/* The VIRQ binding belongs to the backend, not to any domain. */
	if (local_port < 0 || local_port == xb->virq_port)
		return;
	if (xenevtchn_unbind(xb->xce, (evtchn_port_t)local_port) < 0)
		log_msg(LOG_LVL_WARN, "event channel %d not unbound: %s",
			local_port, strerror(errno));
}

static int xen_notify(struct backend *b, int local_port)
{
	struct xen_backend *xb = b->priv;

	if (local_port < 0 || local_port == xb->virq_port)
		return -EINVAL;
	if (xenevtchn_notify(xb->xce, (evtchn_port_t)local_port) < 0)
		return neg_errno();
	return 0;
}

/*
 * The event channel fd is non-blocking (set at open), so an empty queue
 * reads as EAGAIN instead of blocking.  A delivered port stays masked
 * until unmasked; it is unmasked here, before the caller looks at the
 * ring, so a signal that arrives while the caller works is queued again
 * rather than lost.  A port unbound after its event was queued can still
 * come out once; the caller ignores ports it does not know.  Errors other
 * than "nothing pending" become -EIO, never a value that could be mistaken
 * for BACKEND_VIRQ (-2, which is also -ENOENT).
 */
static int xen_pending(struct backend *b)
{
	struct xen_backend *xb = b->priv;
	xenevtchn_port_or_error_t port;

	port = xenevtchn_pending(xb->xce);
	if (port < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return -EAGAIN;
		log_msg(LOG_LVL_ERR, "event channel read failed: %s",
			strerror(errno));
		return -EIO;
	}
	if (xenevtchn_unmask(xb->xce, (evtchn_port_t)port) < 0)
		log_msg(LOG_LVL_ERR, "event channel %d not unmasked: %s",
			(int)port, strerror(errno));
	return port == xb->virq_port ? BACKEND_VIRQ : port;
}

/*
 * One system-wide query (the getdomaininfolist sysctl), available with the
 * same meaning in every libxenctrl from Debian 12's 4.17 on; 4.18 dropped
 * xc_domain_getinfo() and added xc_domain_getinfo_single().  It returns
 * the first domain whose id is at least domid, so any other id means domid
 * is gone.  If the query itself fails the domain is reported running: a
 * transient failure must not tear a guest's connection down, and the next
 * VIRQ_DOM_EXC asks again.
 */
static enum domain_state xen_domain_state(struct backend *b, uint32_t domid)
{
	struct xen_backend *xb = b->priv;
	xc_domaininfo_t info;
	int n;

	if (domid >= DOMID_FIRST_RESERVED)
		return DOMAIN_DEAD;
	memset(&info, 0, sizeof(info));
	n = xc_domain_getinfolist(xb->xch, domid, 1, &info);
	if (n < 0) {
		if (!xb->getinfo_failing)
			log_msg(LOG_LVL_WARN,
				"dom%" PRIu32 ": domain information unavailable (%s); taken as running",
				domid, strerror(errno));
		xb->getinfo_failing = true;
		return DOMAIN_RUNNING;
	}
	xb->getinfo_failing = false;
	if (n == 0 || (uint32_t)info.domain != domid)
		return DOMAIN_DEAD;
	if (info.flags & XEN_DOMINF_dying)
		return DOMAIN_DEAD;
	if (info.flags & XEN_DOMINF_shutdown)
		return DOMAIN_SHUTDOWN;
	return DOMAIN_RUNNING;
}

/*
 * Unmaps every ring still mapped; closing the event channel handle unbinds
 * every port still bound, VIRQ_DOM_EXC included.  Also the error path of
 * backend_xen_open(), so every handle may be missing.
 */
static void xen_close(struct backend *b)
{
	struct xen_backend *xb;

	if (!b)
		return;
	xb = b->priv;
	while (xb->nmaps > 0) {
		xb->nmaps--;
		xen_unmap_one(xb, &xb->maps[xb->nmaps]);
	}
	free(xb->maps);
	if (xb->xfm)
		xenforeignmemory_close(xb->xfm);
	if (xb->xgt)
		xengnttab_close(xb->xgt);
	if (xb->xch)
		xc_interface_close(xb->xch);
	if (xb->xce)
		xenevtchn_close(xb->xce);
	free(xb);
}

static const struct backend_ops xen_ops = {
	.name = "xen",
	.map_ring = xen_map_ring,
	.unmap_ring = xen_unmap_ring,
	.bind = xen_bind,
	.unbind = xen_unbind,
	.notify = xen_notify,
	.pending = xen_pending,
	.domain_state = xen_domain_state,
	.close = xen_close,
};

/*
 * Open after daemonizing: the libraries' handles must not be used across
 * fork().  The event channel device and the control interface are required
 * (no notifications, no domain states without them); of the grant device
 * and foreign mapping one is enough.
 */
int backend_xen_open(struct backend **out)
{
	struct xen_backend *xb;
	int fd, flags, rc;
	xenevtchn_port_or_error_t port;

	if (!out)
		return -EINVAL;
	*out = NULL;
	xb = calloc(1, sizeof(*xb));
	if (!xb)
		return -ENOMEM;
	xb->pub.ops = &xen_ops;
	xb->pub.fd = -1;
	xb->pub.priv = xb;
	xb->logger.vmessage = xen_log_vmessage;
	xb->logger.progress = NULL;
	xb->logger.destroy = xen_log_destroy;
	xb->virq_port = -1;

	xb->xce = xenevtchn_open(&xb->logger, 0);
	if (!xb->xce) {
		rc = neg_errno();
		log_msg(LOG_LVL_ERR, "xen: event channel device: %s",
			strerror(-rc));
		goto fail;
	}
	xb->xch = xc_interface_open(&xb->logger, &xb->logger, 0);
	if (!xb->xch) {
		rc = neg_errno();
		log_msg(LOG_LVL_ERR, "xen: control interface: %s",
			strerror(-rc));
		goto fail;
	}
	xb->xgt = xengnttab_open(&xb->logger, 0);
	if (!xb->xgt)
		log_msg(LOG_LVL_WARN,
			"xen: grant device: %s; rings will be mapped by frame number",
			strerror(errno));
	xb->xfm = xenforeignmemory_open(&xb->logger, 0);
	if (!xb->xfm) {
		rc = neg_errno();
		if (!xb->xgt) {
			log_msg(LOG_LVL_ERR,
				"xen: foreign mapping: %s; no way left to map rings",
				strerror(-rc));
			goto fail;
		}
		log_msg(LOG_LVL_WARN,
			"xen: foreign mapping: %s; rings will be mapped by grant only",
			strerror(-rc));
	}

	fd = xenevtchn_fd(xb->xce);
	flags = fd < 0 ? -1 : fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
		rc = neg_errno();
		log_msg(LOG_LVL_ERR, "xen: event channel fd: %s",
			strerror(-rc));
		goto fail;
	}
	port = xenevtchn_bind_virq(xb->xce, VIRQ_DOM_EXC);
	if (port < 0) {
		rc = neg_errno();
		log_msg(LOG_LVL_ERR, "xen: binding VIRQ_DOM_EXC: %s",
			strerror(-rc));
		goto fail;
	}
	xb->virq_port = port;
	xb->pub.fd = fd;
	*out = &xb->pub;
	return 0;

fail:
	xen_close(&xb->pub);
	return rc;
}

/* Read a port number written in decimal (xenfs adds a newline). */
static int xen_read_port(const char *path, uint32_t *port)
{
	char buf[32];
	char *end;
	unsigned long v;
	ssize_t n;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return neg_errno();
	do
		n = read(fd, buf, sizeof(buf) - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		rc = neg_errno();
	close(fd);
	if (rc < 0)
		return rc;
	buf[n] = '\0';
	if (buf[0] < '0' || buf[0] > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(buf, &end, 10);
	if (errno != 0 || v == 0 || v > INT32_MAX)
		return -EINVAL; /* port 0 is never a bound channel */
	while (*end == '\n' || *end == ' ')
		end++;
	if (*end != '\0')
		return -EINVAL;
	*port = (uint32_t)v;
	return 0;
}

/*
 * The kernel allows one page at offset 0 of xsd_kva, so the length is the
 * kernel's page size (4 KiB of it are the ring).
 */
int backend_xen_dom0_ring(struct backend *b, void **page,
			  uint32_t *remote_port)
{
	struct xen_backend *xb;
	uint32_t port = 0;
	long psz;
	void *p;
	int fd, rc;

	if (!b || b->ops != &xen_ops || !page || !remote_port)
		return -EINVAL;
	xb = b->priv;
	*page = NULL;

	rc = xen_read_port(XEN_XSD_PORT, &port);
	if (rc < 0) {
		log_msg(LOG_LVL_ERR, "xen: %s: %s", XEN_XSD_PORT, strerror(-rc));
		return rc;
	}
	psz = sysconf(_SC_PAGESIZE);
	if (psz < (long)XC_PAGE_SIZE)
		return -EINVAL;
	rc = xen_maps_reserve(xb);
	if (rc < 0)
		return rc;

	fd = open(XEN_XSD_KVA, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		rc = neg_errno();
		log_msg(LOG_LVL_ERR, "xen: %s: %s", XEN_XSD_KVA, strerror(-rc));
		return rc;
	}
	p = mmap(NULL, (size_t)psz, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	rc = p == MAP_FAILED ? neg_errno() : 0;
	close(fd);
	if (rc < 0) {
		log_msg(LOG_LVL_ERR, "xen: mapping %s: %s", XEN_XSD_KVA,
			strerror(-rc));
		return rc;
	}
	xen_maps_add(xb, p, 0, XEN_MAP_KVA, (size_t)psz);
	*page = p;
	*remote_port = port;
	return 0;
}

#endif /* HAVE_XEN */
