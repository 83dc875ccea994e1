/* SPDX-License-Identifier: MIT */
/*
 * The access trace (-T FILE, CONTROL log on/off, logfile): one line per
 * message in and out of the daemon - every request, every reply or error,
 * every watch event - in the layout of the reference daemon's trace:
 *
 *   IN 0x3 20240101 12:00:00 WRITE id 7 tx 0 (/local/domain/1/a value)
 *   OUT 0x3 20240101 12:00:00 WRITE id 7 tx 0 (OK )
 *   OUT 0x5 20240101 12:00:00 WATCH_EVENT id 0 tx 0 (/local/domain/1/a tok )
 *
 * Direction, connection, date, time and message type are the reference's
 * first five fields (the connection is our connection id in hex, the one
 * "connection N" log lines give in decimal); "id N tx N" (request id and
 * transaction id of the header) is ours, before the payload.  The payload
 * shows each NUL as a blank, as the reference does; unlike it, bytes below
 * 0x20, 0x7f and above, and the backslash are written as \xNN, so a guest
 * cannot forge lines.
 *
 * The file is opened for appending and line buffered; SIGHUP reopens it
 * at the same path (trace_reopen), so logrotate can move it away.
 */
#ifndef XS_DAEMON_TRACE_H
#define XS_DAEMON_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "xenstore/wire.h"

struct daemon;
struct conn;

/* Open (or switch to) the trace file at path and turn tracing on; 0 or
 * -errno (the previous file, if any, stays in use then). */
int trace_open(struct daemon *d, const char *path);
/* Open the file at the same path again, keeping on/off; 0 or -errno. */
int trace_reopen(struct daemon *d);
void trace_close(struct daemon *d);

/* A request as received. */
void trace_request(struct daemon *d, const struct conn *c,
		   const struct xs_msg_hdr *hdr, const char *payload);
/* A message queued to c: reply, error or watch event. */
void trace_output(struct daemon *d, const struct conn *c, uint32_t type,
		  uint32_t req_id, uint32_t tx_id, const void *payload,
		  size_t len);
/* A free-form line (CONTROL print). */
void trace_line(struct daemon *d, const char *text);

#endif
