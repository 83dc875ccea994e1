/* SPDX-License-Identifier: MIT */
/* The daemon's log; see log.h. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>
#include <time.h>

static struct {
	bool syslog;
	enum log_level max;
} log_cfg = {false, LOG_LVL_INFO};

void log_setup(bool use_syslog, enum log_level max_level)
{
	log_cfg.syslog = use_syslog;
	log_cfg.max = max_level;
	if (use_syslog)
		openlog("xenstored", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	static const int prio[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};
	static const char *const names[] = {"error", "warning", "info", "debug"};
	va_list ap;

	if (level > log_cfg.max)
		return;
	va_start(ap, fmt);
	if (log_cfg.syslog) {
		vsyslog(prio[level], fmt, ap);
	} else {
		char stamp[32];
		time_t now = time(NULL);
		struct tm tm;
		localtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
		fprintf(stderr, "%s xenstored %s: ", stamp, names[level]);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
}
