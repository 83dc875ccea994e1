/* SPDX-License-Identifier: MIT */
/*
 * The Xen backend's entry points when the daemon is built without Xen's
 * libraries (mk/xen.mk found no libxen-dev): both fail with -ENOSYS, so the
 * daemon links and runs the same way, with the socket and the simulated
 * backend only.  Owns nothing.  Empty when HAVE_XEN is defined, where
 * backend_xen.c provides the real ones.
 */
#ifndef HAVE_XEN

#include "backend_xen.h"

#include <errno.h>
#include <stddef.h>

int backend_xen_open(struct backend **out)
{
	if (out)
		*out = NULL;
	return -ENOSYS;
}

int backend_xen_dom0_ring(struct backend *b, void **page,
			  uint32_t *remote_port)
{
	(void)b;
	(void)remote_port;
	if (page)
		*page = NULL;
	return -ENOSYS;
}

#endif /* !HAVE_XEN */
