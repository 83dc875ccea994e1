/* SPDX-License-Identifier: MIT */
/*
 * What the Xen backend offers beyond struct backend_ops: the ring of the
 * domain the daemon itself runs in (dom0), which Linux hands out through
 * xenfs instead of through INTRODUCE.  Implemented by backend_xen.c when
 * the daemon is built with Xen's libraries and by backend_xen_none.c
 * (always -ENOSYS) otherwise, so callers need no #ifdef.  Depends on
 * backend.h only.
 */
#ifndef XS_DAEMON_BACKEND_XEN_H
#define XS_DAEMON_BACKEND_XEN_H

#include <stdint.h>

#include "backend.h"

/*
 * Map the local domain's ring page (/proc/xen/xsd_kva) and read the event
 * channel its kernel allocated for it (/proc/xen/xsd_port).  On success
 * returns 0 with *page mapped read/write and *remote_port set; the caller
 * binds the port with b->ops->bind(b, 0, *remote_port) and releases the
 * page with b->ops->unmap_ring(b, 0, *page).  Otherwise -errno: -EINVAL
 * when b is not a Xen backend or the port file holds no valid port,
 * -ENOENT when xenfs is not mounted on /proc/xen, -ENOSYS when the daemon
 * was built without Xen.
 */
int backend_xen_dom0_ring(struct backend *b, void **page,
			  uint32_t *remote_port);

#endif
