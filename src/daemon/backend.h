/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor, as the daemon needs it: map a guest's ring page, bind and
 * signal its event channel, and learn which domains are running, shut down
 * or gone.  Two implementations: backend_xen.c (Xen's libraries, built
 * when libxen-dev is installed) and backend_sim.c (a directory of files
 * and FIFOs standing in for Xen; docs/sim.md).  Everything above these
 * calls - domain.c, transport_ring.c - is the same for both.
 *
 * A backend owns its mappings and ports.  It exposes one file descriptor
 * that becomes readable when pending() has something to report.
 */
#ifndef XS_DAEMON_BACKEND_H
#define XS_DAEMON_BACKEND_H

#include <stdint.h>

enum domain_state {
	DOMAIN_RUNNING,
	DOMAIN_SHUTDOWN, /* shut down or crashed, not yet destroyed */
	DOMAIN_DEAD,	 /* destroyed, or never existed */
};

/* pending(): the "domains changed state" virtual interrupt (VIRQ_DOM_EXC). */
#define BACKEND_VIRQ (-2)

struct backend;

struct backend_ops {
	const char *name;
	/*
	 * Map the ring page of domid, given the frame number INTRODUCE
	 * named.  0 and *page set, or -errno.
	 */
	int (*map_ring)(struct backend *b, uint32_t domid, uint64_t gfn,
			void **page);
	void (*unmap_ring)(struct backend *b, uint32_t domid, void *page);
	/*
	 * Bind to port remote_port of domid (an unbound inter-domain event
	 * channel the guest allocated): a local port >= 0, or -errno.
	 */
	int (*bind)(struct backend *b, uint32_t domid, uint32_t remote_port);
	void (*unbind)(struct backend *b, int local_port);
	/* Signal the guest on a bound port: 0 or -errno. */
	int (*notify)(struct backend *b, int local_port);
	/*
	 * One thing that happened since the last call: a local port the
	 * guest signalled, BACKEND_VIRQ when domains changed state, or
	 * -EAGAIN when nothing is pending.  Never blocks.
	 */
	int (*pending)(struct backend *b);
	/* What the hypervisor says about domid now. */
	enum domain_state (*domain_state)(struct backend *b, uint32_t domid);
	void (*close)(struct backend *b);
};

struct backend {
	const struct backend_ops *ops;
	int fd;		/* readable when pending() may return something */
	void *priv;	/* the implementation's state */
};

/* The simulated hypervisor living in dir (docs/sim.md). */
int backend_sim_open(const char *dir, struct backend **out);

/* Xen, through libxenevtchn/libxengnttab/libxenctrl (if built in). */
int backend_xen_open(struct backend **out);

#endif
