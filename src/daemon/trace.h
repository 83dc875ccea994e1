/* SPDX-License-Identifier: MIT */
/*
 * The access trace (-T FILE, CONTROL log on/off, logfile): one line per
 * request and per reply, as the reference daemon writes them.
 */
#ifndef XS_DAEMON_TRACE_H
#define XS_DAEMON_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "xenstore/wire.h"

struct daemon;
struct conn;

/* Open (or reopen) the trace file at path; 0 or -errno. */
int trace_open(struct daemon *d, const char *path);
void trace_close(struct daemon *d);

void trace_request(struct daemon *d, const struct conn *c,
		   const struct xs_msg_hdr *hdr, const char *payload);
void trace_reply(struct daemon *d, const struct conn *c, uint32_t type,
		 const struct xs_msg_hdr *req, const char *payload, size_t len);
/* A free-form line (CONTROL print). */
void trace_line(struct daemon *d, const char *text);

#endif
