/* SPDX-License-Identifier: MIT */
/*
 * The daemon's log; see log.h.
 *
 * Design note, the rate limiter: a guest can make the daemon refuse
 * requests as fast as it can send them, and each refusal is worth a line,
 * so lines a guest provokes are keyed by (domid, kind) and let through at
 * most once per LOG_LIMIT_MS per key.  Keys live in a fixed table probed
 * from a hash of the key over LOG_LIMIT_PROBE slots; a key not in the table
 * takes a free slot, or one whose last line is older than the window (its
 * window is over, so forgetting it changes nothing but the held count,
 * which moves to held_unkeyed).  When every probed slot is in its window
 * the line is held without a key.  Each slot lets through at most one line
 * per window, so however many domains misbehave the log grows by at most
 * LOG_LIMIT_SLOTS lines per window, and the memory is fixed.
 */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

static struct {
	enum log_dest dest;
	enum log_level max;
	FILE *file;		/* LOG_TO_FILE; NULL falls back to stderr */
	char *path;		/* LOG_TO_FILE; owned */
	struct log_limiter limiter;
} log_cfg = {LOG_TO_STDERR, LOG_LVL_INFO, NULL, NULL, {{{0}}, 0}};

static int open_file(void)
{
	FILE *f = fopen(log_cfg.path, "a");

	if (!f)
		return -errno;
	setvbuf(f, NULL, _IOLBF, 0);
	if (log_cfg.file)
		fclose(log_cfg.file);
	log_cfg.file = f;
	return 0;
}

int log_setup(enum log_dest dest, const char *path, enum log_level max_level)
{
	log_close();
	log_cfg.dest = dest;
	log_cfg.max = max_level;
	if (dest == LOG_TO_SYSLOG)
		openlog("xenstored", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	if (dest != LOG_TO_FILE)
		return 0;
	log_cfg.path = log_absolute_path(path);
	if (!log_cfg.path)
		return -ENOMEM;
	return open_file();
}

char *log_absolute_path(const char *path)
{
	char cwd[4096];
	char *abs;

	if (path[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		return strdup(path);
	size_t n = strlen(cwd) + strlen(path) + 2;
	abs = malloc(n);
	if (abs)
		snprintf(abs, n, "%s/%s", cwd, path);
	return abs;
}

int log_reopen(void)
{
	if (log_cfg.dest != LOG_TO_FILE || !log_cfg.path)
		return 0;
	return open_file();
}

void log_close(void)
{
	if (log_cfg.dest == LOG_TO_SYSLOG)
		closelog();
	if (log_cfg.file)
		fclose(log_cfg.file);
	log_cfg.file = NULL;
	free(log_cfg.path);
	log_cfg.path = NULL;
	log_cfg.dest = LOG_TO_STDERR;
}

int log_level_parse(const char *name, enum log_level *out)
{
	static const struct {
		const char *name;
		enum log_level level;
	} names[] = {
		{"error", LOG_LVL_ERR}, {"warn", LOG_LVL_WARN},
		{"warning", LOG_LVL_WARN}, {"info", LOG_LVL_INFO},
		{"debug", LOG_LVL_DEBUG},
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(names[i].name, name) == 0) {
			*out = names[i].level;
			return 0;
		}
	}
	return -EINVAL;
}

bool log_enabled(enum log_level level)
{
	return level <= log_cfg.max;
}

static void log_vline(enum log_level level, const char *suffix, const char *fmt,
		      va_list ap) __attribute__((format(printf, 3, 0)));
static void log_vline(enum log_level level, const char *suffix, const char *fmt,
		      va_list ap)
{
	static const int prio[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};
	static const char *const names[] = {"error", "warning", "info", "debug"};
	char text[1024];

	vsnprintf(text, sizeof(text), fmt, ap);
	if (log_cfg.dest == LOG_TO_SYSLOG) {
		syslog(prio[level], "%s%s", text, suffix);
		return;
	}
	FILE *f = log_cfg.file ? log_cfg.file : stderr;
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(f, "%s xenstored %s: %s%s\n", stamp, names[level], text, suffix);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	if (!log_enabled(level))
		return;
	va_start(ap, fmt);
	log_vline(level, "", fmt, ap);
	va_end(ap);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

bool log_limit_pass(struct log_limiter *l, uint32_t domid, unsigned int kind,
		    uint64_t now, uint32_t *held)
{
	uint64_t key = ((uint64_t)domid << 8 | (kind & 0xffu)) + 1;
	/* Fibonacci hashing: domids are small and consecutive. */
	uint32_t h = (uint32_t)((key * 0x9e3779b97f4a7c15ull) >> 40);
	struct log_limit_slot *free_slot = NULL;

	for (uint32_t i = 0; i < LOG_LIMIT_PROBE; i++) {
		struct log_limit_slot *s = &l->slot[(h + i) % LOG_LIMIT_SLOTS];
		bool expired = s->key == 0 || now - s->last_ms >= LOG_LIMIT_MS;

		if (s->key == key) {
			if (!expired) {
				s->held++;
				return false;
			}
			*held = s->held + l->held_unkeyed;
			s->held = 0;
			l->held_unkeyed = 0;
			s->last_ms = now;
			return true;
		}
		if (expired && !free_slot)
			free_slot = s;
	}
	if (!free_slot) {
		l->held_unkeyed++;
		return false;
	}
	/* Forgetting an expired key: its held lines are reported unkeyed. */
	*held = l->held_unkeyed + (free_slot->key ? free_slot->held : 0);
	l->held_unkeyed = 0;
	free_slot->key = key;
	free_slot->last_ms = now;
	free_slot->held = 0;
	return true;
}

void log_limited(enum log_level level, uint32_t domid, unsigned int kind,
		 const char *fmt, ...)
{
	uint32_t held = 0;
	char suffix[64] = "";
	va_list ap;

	if (!log_enabled(level) ||
	    !log_limit_pass(&log_cfg.limiter, domid, kind, now_ms(), &held))
		return;
	if (held)
		snprintf(suffix, sizeof(suffix), " (%u similar lines held back)",
			 held);
	va_start(ap, fmt);
	log_vline(level, suffix, fmt, ap);
	va_end(ap);
}
