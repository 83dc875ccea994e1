/* SPDX-License-Identifier: MIT */
/*
 * The daemon's log: one line per notable event, to stderr or syslog.
 * The only global state besides signal flags (STYLE.md).
 */
#ifndef XS_DAEMON_LOG_H
#define XS_DAEMON_LOG_H

#include <stdbool.h>

enum log_level { LOG_LVL_ERR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

/* Where lines go; stderr until told otherwise. */
void log_setup(bool use_syslog, enum log_level max_level);

void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
