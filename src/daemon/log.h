/* SPDX-License-Identifier: MIT */
/*
 * The daemon's log: one line per notable event, to stderr, syslog or a
 * file of its own (--log-file), filtered by level (--log-level).  The
 * only global state besides signal flags (STYLE.md).
 *
 * Lines a guest can provoke at will (quota hits, ring errors) go through
 * log_limited(), which keeps at most one line per domain and kind of event
 * every LOG_LIMIT_MS and counts the ones it held back, so a hostile guest
 * cannot flood the log (see the design note in log.c).
 */
#ifndef XS_DAEMON_LOG_H
#define XS_DAEMON_LOG_H

#include <stdbool.h>
#include <stdint.h>

enum log_level { LOG_LVL_ERR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

/* Where lines go. */
enum log_dest { LOG_TO_STDERR, LOG_TO_SYSLOG, LOG_TO_FILE };

/*
 * Send lines to dest (path only for LOG_TO_FILE, appended to), keeping
 * those up to max_level.  0, or -errno when the file cannot be opened
 * (lines then still go to stderr).  Until called: stderr, level info.
 */
int log_setup(enum log_dest dest, const char *path, enum log_level max_level);

/*
 * path made absolute against the current directory (the daemon leaves it
 * for / when it forks, and reopens files later); malloc'ed, NULL when out
 * of memory.
 */
char *log_absolute_path(const char *path);

/* Reopen the log file (SIGHUP, after logrotate moved it); 0 or -errno. */
int log_reopen(void);

/* Close the log file or syslog. */
void log_close(void);

/* "error", "warn"/"warning", "info", "debug" -> level; 0 or -EINVAL. */
int log_level_parse(const char *name, enum log_level *out);

/* Whether lines of level are written at all. */
bool log_enabled(enum log_level level);

void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Kinds of guest-provoked events that log_limited() keys on, with domid. */
enum log_kind {
	LOG_KIND_QUOTA = 0,	/* + the quota item: one key per quota */
	LOG_KIND_RING = 64,	/* ring errors */
	LOG_KIND_CONN = 65,	/* connections dropped */
	LOG_KIND_RECONNECT = 66, /* ring reconnections the guest asked for */
	LOG_KIND_WRITE_RATE = 67, /* held by the write-rate limit */
};

/* At most one line per (domid, kind) in this many milliseconds. */
#define LOG_LIMIT_MS 10000u

/*
 * log_msg(), unless a line of the same domid and kind was written less
 * than LOG_LIMIT_MS ago; then the line is only counted, and the next one
 * written for that key ends with how many were held back.
 */
void log_limited(enum log_level level, uint32_t domid, unsigned int kind,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * The rate limiter itself, exposed for its unit test: a fixed table of
 * recently seen keys.  LOG_LIMIT_SLOTS entries, so its memory is bounded
 * whatever the number of domains.
 */
#define LOG_LIMIT_SLOTS 512u
#define LOG_LIMIT_PROBE 8u

struct log_limit_slot {
	uint64_t key;		/* (domid << 8 | kind) + 1; 0 = free */
	uint64_t last_ms;	/* when its last line was written */
	uint32_t held;		/* lines held back since */
};

struct log_limiter {
	struct log_limit_slot slot[LOG_LIMIT_SLOTS];
	uint32_t held_unkeyed;	/* held back for want of a free slot */
};

/*
 * May a line for (domid, kind) be written at now_ms?  True: write it, and
 * *held says how many lines of that key (plus any held for want of a
 * slot) were held back before it.  False: it was counted instead.
 */
bool log_limit_pass(struct log_limiter *l, uint32_t domid, unsigned int kind,
		    uint64_t now_ms, uint32_t *held);

#endif
