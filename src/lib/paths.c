/* SPDX-License-Identifier: MIT */
/*
 * Where the daemon is found.  The environment overrides the built-in
 * locations exactly as with Xen's library: XENSTORED_RUNDIR replaces the
 * run directory, XENSTORED_PATH names the socket (and the device).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "xs_handle.h"

#define DEFAULT_RUNDIR "/var/run/xenstored"

const char *xs_daemon_rundir(void)
{
	const char *s = getenv("XENSTORED_RUNDIR");

	return s ? s : DEFAULT_RUNDIR;
}

const char *xs_daemon_socket(void)
{
	/*
	 * The API returns a string the caller does not free; a per-thread
	 * buffer keeps concurrent callers apart while still honouring
	 * changes to the environment between calls.
	 */
	static _Thread_local char buf[PATH_MAX];
	const char *s = getenv("XENSTORED_PATH");

	if (s)
		return s;
	if (snprintf(buf, sizeof(buf), "%s/socket", xs_daemon_rundir()) >=
	    (int)sizeof(buf))
		return NULL;
	return buf;
}

/* The read-only socket is gone from Xen; its name is the main socket's. */
const char *xs_daemon_socket_ro(void)
{
	return xs_daemon_socket();
}

const char *xs__domain_dev(void)
{
	const char *s = getenv("XENSTORED_PATH");

	if (s)
		return s;
	/* Linux: the device node, or the /proc file of older kernels. */
	if (access("/dev/xen/xenbus", F_OK) == 0)
		return "/dev/xen/xenbus";
	return "/proc/xen/xenbus";
}
