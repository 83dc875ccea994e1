/* SPDX-License-Identifier: MIT */
/*
 * Requests of the toolstack rather than of ordinary clients: domain
 * introduction and release, targets, domain paths, and the daemon control
 * channel.  All of them only format decimal arguments and interpret short
 * replies.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xs_handle.h"

bool xs_introduce_domain(struct xs_handle *h, unsigned int domid,
			 unsigned long mfn, unsigned int eventchn)
{
	char d[MAX_STRLEN(domid)], m[MAX_STRLEN(mfn)], e[MAX_STRLEN(eventchn)];
	struct iovec iov[3] = {
		{.iov_base = d}, {.iov_base = m}, {.iov_base = e},
	};

	iov[0].iov_len = (size_t)snprintf(d, sizeof(d), "%u", domid) + 1;
	iov[1].iov_len = (size_t)snprintf(m, sizeof(m), "%lu", mfn) + 1;
	iov[2].iov_len = (size_t)snprintf(e, sizeof(e), "%u", eventchn) + 1;
	return xs__bool(xs__talk(h, XS_INTRODUCE, XBT_NULL, iov, 3, NULL));
}

bool xs_set_target(struct xs_handle *h, unsigned int domid,
		   unsigned int target)
{
	char d[MAX_STRLEN(domid)], t[MAX_STRLEN(target)];
	struct iovec iov[2] = {{.iov_base = d}, {.iov_base = t}};

	iov[0].iov_len = (size_t)snprintf(d, sizeof(d), "%u", domid) + 1;
	iov[1].iov_len = (size_t)snprintf(t, sizeof(t), "%u", target) + 1;
	return xs__bool(xs__talk(h, XS_SET_TARGET, XBT_NULL, iov, 2, NULL));
}

bool xs_resume_domain(struct xs_handle *h, unsigned int domid)
{
	return xs__bool(xs__talk_domid(h, XS_RESUME, domid, NULL));
}

bool xs_release_domain(struct xs_handle *h, unsigned int domid)
{
	return xs__bool(xs__talk_domid(h, XS_RELEASE, domid, NULL));
}

char *xs_get_domain_path(struct xs_handle *h, unsigned int domid)
{
	return xs__talk_domid(h, XS_GET_DOMAIN_PATH, domid, NULL);
}

bool xs_is_domain_introduced(struct xs_handle *h, unsigned int domid)
{
	char *reply = xs__talk_domid(h, XS_IS_DOMAIN_INTRODUCED, domid, NULL);
	bool yes;

	if (!reply)
		return false;
	/* The daemon answers "T" or "F"; anything but "F" counts as yes. */
	yes = strcmp(reply, "F") != 0;
	free(reply);
	return yes;
}

bool xs_restrict(struct xs_handle *h, unsigned domid)
{
	/*
	 * Xen's library made this a stub in 4.9 and callers rely on it
	 * failing; a connection that wants to act as a domain is better
	 * served by connecting as that domain.
	 */
	errno = ENOSYS;
	return false;
}

char *xs_control_command(struct xs_handle *h, const char *cmd, void *data,
			 unsigned int len)
{
	struct iovec iov[2] = {
		{.iov_base = (void *)cmd, .iov_len = strlen(cmd) + 1},
		{.iov_base = data, .iov_len = data ? len : 0},
	};

	return xs__talk(h, XS_CONTROL, XBT_NULL, iov, 2, NULL);
}

char *xs_debug_command(struct xs_handle *h, const char *cmd, void *data,
		       unsigned int len)
{
	return xs_control_command(h, cmd, data, len);
}

int xs_suspend_evtchn_port(int domid)
{
	char path[64];
	unsigned int len;
	struct xs_handle *h;
	char *val;
	int port = -1;

	h = xs_open(0);
	if (!h)
		return -1;
	snprintf(path, sizeof(path),
		 "/local/domain/%d/device/suspend/event-channel", domid);
	val = xs_read(h, XBT_NULL, path, &len);
	xs_close(h);
	if (val && len > 0)
		port = atoi(val);
	free(val);
	return port;
}
