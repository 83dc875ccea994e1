/* SPDX-License-Identifier: MIT */
/*
 * xsbench: a load generator for XenStore daemons.  It speaks the raw wire
 * protocol over the daemon's Unix socket, runs each scenario of the table in
 * scenarios.c with N concurrent clients (one thread and one connection per
 * client, one request in flight each) for a fixed time or a fixed number of
 * operations, and reports throughput, latency percentiles and errors (and,
 * for scenarios that ask for them, a retry rate and the latency of watch
 * events) as a table or as JSON.  This file is the runner: options,
 * threads, timing and reporting.  `xsbench --help` lists the options.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xsbench.h"

#define MAX_RUNS 99
#define MAX_CLIENTS 4096
#define MAX_RECONNECTS 10

enum phase { PH_SETUP, PH_WARMUP, PH_MEASURE, PH_STOP };

/* Runner-private state of one client thread. */
struct slot {
	struct xsb_worker w;
	pthread_t thread;
	uint64_t quota; /* op attempts in count mode, 0 = unlimited */
	bool failed;	/* connect or client setup failed: no load */
};

/* The run in progress; only one scenario runs at a time. */
static struct {
	_Atomic int phase;
	_Atomic unsigned int ready; /* clients done with setup */
	_Atomic unsigned int done;  /* clients that left their loop */
} ctl;

/* Summary of one run of one scenario. */
struct result {
	unsigned int clients;
	double ops, elapsed_s, ops_per_s;
	double mean_us, p50_us, p90_us, p99_us, max_us;
	uint64_t errors, retries;
	/* Only if the scenario asked for them (see struct xsb_run). */
	bool counts_retries, has_events;
	double retry_rate;		/* retries / (ops + retries) */
	double ev_count, ev_p50_us, ev_p99_us, ev_max_us;
	uint64_t ev_lost;
	bool has_flood;
	double flood_ops_per_s;		/* the flooder's replies per second */
};

static const char *label;
static bool quiet;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t xsb_now_ns(void)
{
	return now_ns();
}

/* Sleep until the monotonic clock reaches deadline (ns). */
static void sleep_until(uint64_t deadline)
{
	struct timespec ts = {
		.tv_sec = (time_t)(deadline / 1000000000u),
		.tv_nsec = (long)(deadline % 1000000000u),
	};

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

enum xsb_op_result xsb_fail(struct xsb_worker *w, const char *fmt, ...)
{
	w->errors++;
	if (w->first_error[0] == '\0') {
		va_list ap;

		va_start(ap, fmt);
		vsnprintf(w->first_error, sizeof(w->first_error), fmt, ap);
		va_end(ap);
	}
	return XSB_OP_ERROR;
}

uint32_t xsb_rand(struct xsb_worker *w, uint32_t n)
{
	/* xorshift64*: cheap, and deterministic per client for repeatability. */
	uint64_t x = w->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	w->rng = x;
	return (uint32_t)(((x * 0x2545F4914F6CDD1Dull) >> 32) * n >> 32);
}

static void *worker_main(void *arg)
{
	struct slot *s = arg;
	struct xsb_worker *w = &s->w;
	const struct xsb_scenario *sc = w->run->sc;
	const struct xsb_opts *o = w->run->opts;
	unsigned int reconnects = 0;
	uint64_t attempts = 0;
	int rc;

	rc = xsb_connect(&w->conn, o->socket, o->timeout_ms);
	if (rc < 0) {
		xsb_fail(w, "connect %s: %s", o->socket, strerror(-rc));
		s->failed = true;
	} else if (sc->client_setup && sc->client_setup(w) < 0) {
		s->failed = true;
	}
	atomic_fetch_add(&ctl.ready, 1);

	/* Start together, so that every client loads the whole window. */
	while (atomic_load(&ctl.phase) == PH_SETUP)
		sleep_until(now_ns() + 200000);

	while (!s->failed) {
		int ph = atomic_load_explicit(&ctl.phase, memory_order_relaxed);
		enum xsb_op_result r;
		uint64_t t0, t1;

		if (ph == PH_STOP || (ph == PH_MEASURE && s->quota &&
				      attempts >= s->quota))
			break;
		w->measuring = ph == PH_MEASURE;
		t0 = now_ns();
		r = sc->op(w);
		t1 = now_ns();
		/* Only ops that started inside the window count. */
		if (ph == PH_MEASURE) {
			attempts++;
			w->end_ns = t1;
			if (r == XSB_OP_OK) {
				w->ops++;
				xsb_hist_add(&w->hist, t1 - t0);
			} else if (r == XSB_OP_RETRY) {
				w->retries++;
			}
		}
		if (w->conn.fd < 0) {
			/* The client closed a broken stream; carry on afresh. */
			if (++reconnects > MAX_RECONNECTS ||
			    xsb_connect(&w->conn, o->socket, o->timeout_ms) < 0) {
				xsb_fail(w, "connection lost, giving up");
				break;
			}
		}
	}
	xsb_close(&w->conn);
	atomic_fetch_add(&ctl.done, 1);
	return NULL;
}

/* Report the first error of up to 3 clients, so problems are visible. */
static void report_errors(const char *name, const struct slot *slots,
			  unsigned int n)
{
	unsigned int shown = 0, more = 0;

	for (unsigned int i = 0; i < n; i++) {
		if (slots[i].w.first_error[0] == '\0')
			continue;
		if (shown++ < 3)
			fprintf(stderr, "xsbench: %s: client %u: %s (%llu errors)\n",
				name, i, slots[i].w.first_error,
				(unsigned long long)slots[i].w.errors);
		else
			more++;
	}
	if (more)
		fprintf(stderr, "xsbench: %s: %u more clients had errors\n",
			name, more);
}

static int run_scenario(const struct xsb_scenario *sc,
			const struct xsb_opts *o, struct xsb_conn *ctl_conn,
			struct result *res)
{
	struct xsb_run run = { .sc = sc, .opts = o };
	struct xsb_hist *all, *events;
	struct slot *slots;
	unsigned int created = 0;
	uint64_t t0, end, deadline;

	memset(res, 0, sizeof(*res));
	run.clients = o->clients ? o->clients : sc->clients;
	res->clients = run.clients;
	slots = calloc(run.clients, sizeof(*slots));
	all = malloc(sizeof(*all));
	events = malloc(sizeof(*events));
	if (!slots || !all || !events) {
		fprintf(stderr, "xsbench: out of memory\n");
		exit(2);
	}
	xsb_hist_init(all);
	xsb_hist_init(events);
	run.events = events;
	if (sc->setup && sc->setup(&run, ctl_conn) < 0) {
		fprintf(stderr, "xsbench: %s: setup failed\n", sc->name);
		res->errors = 1 + run.errors;
		goto out;
	}

	atomic_store(&ctl.phase, PH_SETUP);
	atomic_store(&ctl.ready, 0);
	atomic_store(&ctl.done, 0);
	for (unsigned int i = 0; i < run.clients; i++) {
		struct slot *s = &slots[i];

		s->w.run = &run;
		s->w.id = i;
		s->w.conn.fd = -1;
		s->w.rng = 0x9E3779B97F4A7C15ull * (i + 1);
		xsb_hist_init(&s->w.hist);
		if (o->count)
			s->quota = o->count / run.clients +
				   (i < o->count % run.clients);
		if (pthread_create(&s->thread, NULL, worker_main, s) != 0) {
			fprintf(stderr, "xsbench: %s: cannot start client %u\n",
				sc->name, i);
			res->errors++;
			break;
		}
		created++;
	}

	/* Client setup is bounded by its requests' timeouts; cap it anyway. */
	deadline = now_ns() + 300ull * 1000000000u;
	while (atomic_load(&ctl.ready) < created && now_ns() < deadline)
		sleep_until(now_ns() + 1000000);

	atomic_store(&ctl.phase, PH_WARMUP);
	sleep_until(now_ns() + (uint64_t)(o->warmup_s * 1e9));
	t0 = now_ns();
	atomic_store(&ctl.phase, PH_MEASURE);
	if (o->count) {
		deadline = t0 + (uint64_t)(o->max_s * 1e9);
		while (atomic_load(&ctl.done) < created && now_ns() < deadline)
			sleep_until(now_ns() + 1000000);
	} else {
		sleep_until(t0 + (uint64_t)(o->duration_s * 1e9));
	}
	atomic_store(&ctl.phase, PH_STOP);
	/*
	 * In duration mode the window lasts until the stop, even for a client
	 * that gave up early; in count mode it ends with the last op.
	 */
	end = o->count ? 0 : now_ns();

	for (unsigned int i = 0; i < created; i++) {
		struct xsb_worker *w = &slots[i].w;

		pthread_join(slots[i].thread, NULL);
		xsb_hist_merge(all, &w->hist);
		res->errors += w->errors;
		res->retries += w->retries;
		if (w->end_ns > end)
			end = w->end_ns;
	}
	report_errors(sc->name, slots, created);
	/* Before the summary: it may add events and errors of its own. */
	if (sc->teardown)
		sc->teardown(&run, ctl_conn);
	res->errors += run.errors;

	/* The window ends when the last measured op completed. */
	if (end <= t0)
		end = now_ns();
	res->ops = (double)all->count;
	res->elapsed_s = (double)(end - t0) / 1e9;
	res->ops_per_s = res->ops / res->elapsed_s;
	res->mean_us = xsb_hist_mean(all) / 1e3;
	res->p50_us = xsb_hist_percentile(all, 50) / 1e3;
	res->p90_us = xsb_hist_percentile(all, 90) / 1e3;
	res->p99_us = xsb_hist_percentile(all, 99) / 1e3;
	res->max_us = (double)all->max_ns / 1e3;
	res->counts_retries = run.counts_retries;
	if (res->ops + (double)res->retries > 0)
		res->retry_rate = (double)res->retries /
				  (res->ops + (double)res->retries);
	res->has_events = run.has_events;
	res->ev_count = (double)events->count;
	res->ev_p50_us = xsb_hist_percentile(events, 50) / 1e3;
	res->ev_p99_us = xsb_hist_percentile(events, 99) / 1e3;
	res->ev_max_us = (double)events->max_ns / 1e3;
	res->ev_lost = run.events_lost;
	res->has_flood = run.has_flood;
	res->flood_ops_per_s = run.flood_ops_per_s;
out:
	free(events);
	free(all);
	free(slots);
	return res->errors ? -1 : 0;
}

/* Remove /bench (and everything below); a missing node is fine. */
static int clean_store(struct xsb_conn *c)
{
	static struct xsb_reply reply;
	enum xsb_status st = xsb_call_str(c, XS_RM, 0, "/bench", &reply);

	if (st == XSB_OK || (st == XSB_ERR_XS && strcmp(reply.data, "ENOENT") == 0))
		return 0;
	fprintf(stderr, "xsbench: RM /bench: %s\n", xsb_status_text(st, &reply));
	return -1;
}

/* Exit 0 if a daemon answers DIRECTORY / on the socket: used to wait for it. */
static int probe(const struct xsb_opts *o)
{
	static struct xsb_conn c;
	static struct xsb_reply reply;
	enum xsb_status st;

	if (xsb_connect(&c, o->socket, o->timeout_ms) < 0)
		return 1;
	st = xsb_call_str(&c, XS_DIRECTORY, 0, "/", &reply);
	xsb_close(&c);
	return st == XSB_OK ? 0 : 1;
}

/* Per-metric medians over the runs of one scenario; errors add up. */
static void aggregate(const struct result *runs, unsigned int n,
		      struct result *out)
{
	double v[MAX_RUNS];

	memset(out, 0, sizeof(*out));
	out->clients = runs[0].clients;
	out->counts_retries = runs[0].counts_retries;
	out->has_events = runs[0].has_events;
	out->has_flood = runs[0].has_flood;
#define MEDIAN_OF(field)                                \
	do {                                            \
		for (unsigned int i = 0; i < n; i++)    \
			v[i] = runs[i].field;           \
		out->field = xsb_median(v, n);          \
	} while (0)
	MEDIAN_OF(ops);
	MEDIAN_OF(elapsed_s);
	MEDIAN_OF(ops_per_s);
	MEDIAN_OF(mean_us);
	MEDIAN_OF(p50_us);
	MEDIAN_OF(p90_us);
	MEDIAN_OF(p99_us);
	MEDIAN_OF(retry_rate);
	MEDIAN_OF(ev_count);
	MEDIAN_OF(ev_p50_us);
	MEDIAN_OF(ev_p99_us);
	MEDIAN_OF(flood_ops_per_s);
#undef MEDIAN_OF
	for (unsigned int i = 0; i < n; i++) {
		if (runs[i].max_us > out->max_us)
			out->max_us = runs[i].max_us;
		if (runs[i].ev_max_us > out->ev_max_us)
			out->ev_max_us = runs[i].ev_max_us;
		out->ev_lost += runs[i].ev_lost;
		out->errors += runs[i].errors;
		out->retries += runs[i].retries;
	}
}

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

static void print_json(const struct xsb_opts *o,
		       const struct xsb_scenario *const *sel, unsigned int nsel,
		       struct result (*runs)[MAX_RUNS])
{
	printf("{\"tool\": \"xsbench\", \"label\": ");
	json_string(label ? label : "");
	printf(", \"socket\": ");
	json_string(o->socket);
	printf(", \"duration_s\": %g, \"warmup_s\": %g, \"op_count\": %llu,"
	       " \"repeat\": %u, \"keys\": %u, \"value_bytes\": %u,"
	       " \"scenarios\": [\n",
	       o->count ? 0 : o->duration_s, o->warmup_s,
	       (unsigned long long)o->count, o->repeat, o->keys, o->value_len);
	for (unsigned int i = 0; i < nsel; i++) {
		struct result a;

		aggregate(runs[i], o->repeat, &a);
		printf("  {\"name\": ");
		json_string(sel[i]->name);
		printf(", \"clients\": %u, \"ops\": %.0f, \"elapsed_s\": %.3f,"
		       " \"ops_per_s\": %.1f, \"lat_us\": {\"mean\": %.1f,"
		       " \"p50\": %.1f, \"p90\": %.1f, \"p99\": %.1f,"
		       " \"max\": %.1f}, \"errors\": %llu, \"retries\": %llu",
		       a.clients, a.ops, a.elapsed_s, a.ops_per_s, a.mean_us,
		       a.p50_us, a.p90_us, a.p99_us, a.max_us,
		       (unsigned long long)a.errors,
		       (unsigned long long)a.retries);
		if (a.counts_retries)
			printf(", \"retry_rate\": %.4f", a.retry_rate);
		else
			printf(", \"retry_rate\": null");
		if (a.has_events)
			printf(", \"events\": {\"count\": %.0f, \"lost\": %llu,"
			       " \"lat_us\": {\"p50\": %.1f, \"p99\": %.1f,"
			       " \"max\": %.1f}}",
			       a.ev_count, (unsigned long long)a.ev_lost,
			       a.ev_p50_us, a.ev_p99_us, a.ev_max_us);
		else
			printf(", \"events\": null");
		if (a.has_flood)
			printf(", \"flood_ops_per_s\": %.1f", a.flood_ops_per_s);
		printf(", \"runs_ops_per_s\": [");
		for (unsigned int r = 0; r < o->repeat; r++)
			printf("%s%.1f", r ? ", " : "", runs[i][r].ops_per_s);
		printf("]}%s\n", i + 1 < nsel ? "," : "");
	}
	printf("]}\n");
}

/*
 * The fair-* scenarios side by side: the normal clients' latency beside
 * each flooder against fair-alone's, and each flooder's throughput.
 */
static void print_fairness(const struct xsb_opts *o,
			   const struct xsb_scenario *const *sel,
			   unsigned int nsel, struct result (*runs)[MAX_RUNS])
{
	struct result alone;
	bool have_alone = false, header = false;

	for (unsigned int i = 0; i < nsel; i++) {
		if (strcmp(sel[i]->name, "fair-alone") == 0) {
			aggregate(runs[i], o->repeat, &alone);
			have_alone = true;
		}
	}
	for (unsigned int i = 0; i < nsel; i++) {
		struct result a;

		aggregate(runs[i], o->repeat, &a);
		if (!a.has_flood)
			continue;
		if (!header) {
			printf("fairness: normal clients' p50/p99 us beside a"
			       " flooder, p99 ratio to fair-alone, flooder"
			       " req/s\n");
			header = true;
		}
		printf("%-16s p50 %8.1f  p99 %8.1f", sel[i]->name, a.p50_us,
		       a.p99_us);
		if (have_alone && alone.p99_us > 0)
			printf("  (alone %.1f / %.1f)  p99 ratio %5.2f",
			       alone.p50_us, alone.p99_us,
			       a.p99_us / alone.p99_us);
		printf("  flooder %9.0f req/s\n", a.flood_ops_per_s);
	}
}

static void print_table(const struct xsb_opts *o,
			const struct xsb_scenario *const *sel,
			unsigned int nsel, struct result (*runs)[MAX_RUNS])
{
	bool retries = false, events = false;

	if (label)
		printf("%s: ", label);
	printf("socket %s, ", o->socket);
	if (o->count)
		printf("%llu ops", (unsigned long long)o->count);
	else
		printf("%g s", o->duration_s);
	printf(" per scenario after %g s warm-up, %u keys/client, %u-byte values",
	       o->warmup_s, o->keys, o->value_len);
	if (o->repeat > 1)
		printf(", median of %u runs", o->repeat);
	printf("\n%-16s %7s %9s %9s %8s %8s %8s %9s %6s %6s %8s %8s %7s\n",
	       "scenario", "clients", "ops", "ops/s", "p50 us", "p90 us",
	       "p99 us", "max us", "errors", "retry%", "ev p50", "ev p99",
	       "ev lost");
	for (unsigned int i = 0; i < nsel; i++) {
		struct result a;

		aggregate(runs[i], o->repeat, &a);
		retries |= a.counts_retries;
		events |= a.has_events;
		printf("%-16s %7u %9.0f %9.0f %8.1f %8.1f %8.1f %9.1f %6llu",
		       sel[i]->name, a.clients, a.ops, a.ops_per_s, a.p50_us,
		       a.p90_us, a.p99_us, a.max_us,
		       (unsigned long long)a.errors);
		if (a.counts_retries)
			printf(" %6.1f", 100.0 * a.retry_rate);
		else
			printf(" %6s", "-");
		if (a.has_events)
			printf(" %8.1f %8.1f %7llu", a.ev_p50_us, a.ev_p99_us,
			       (unsigned long long)a.ev_lost);
		else
			printf(" %8s %8s %7s", "-", "-", "-");
		putchar('\n');
	}
	if (retries || events)
		printf("ops/s is commits/s for txn-*, writes/s for watch-*;"
		       " retry%% = EAGAIN commits / attempts; ev p50, p99:\n"
		       "write sent to watch event received; ev lost: events"
		       " that never arrived\n");
	print_fairness(o, sel, nsel, runs);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: xsbench -S SOCKET [options]\n"
		"Load generator for a XenStore daemon's Unix socket.\n"
		"  -S, --socket PATH     daemon socket (default $XENSTORED_PATH)\n"
		"  -s, --scenarios LIST  comma-separated names, or a prefix such as\n"
		"                        'read' for read-*; default: all (see -l)\n"
		"  -d, --duration SEC    measured time per scenario (default 3)\n"
		"  -n, --count N         instead: N ops per scenario (split over\n"
		"                        the clients), stopping after -d if given,\n"
		"                        else after 60 s\n"
		"  -w, --warmup SEC      unmeasured load first (default 0.5)\n"
		"  -c, --clients N       override every scenario's client count\n"
		"                        (watch-* only run with 1: their writer)\n"
		"  -k, --keys N          keys per client of read-*, write-*\n"
		"                        (default 1000; txn-* use 4 counters)\n"
		"      --value-size N    bytes per value of read-*, write-*\n"
		"                        (default 32)\n"
		"  -r, --repeat N        run each scenario N times, report medians\n"
		"  -t, --timeout MS      per-request timeout (default 5000)\n"
		"  -L, --label TEXT      name of the daemon, shown in the output\n"
		"      --json            JSON output for machines\n"
		"      --keep            leave /bench in the store\n"
		"  -q, --quiet           no progress lines on stderr\n"
		"      --probe           exit 0 if the daemon answers, else 1\n"
		"  -l, --list            list the scenarios\n"
		"Exit status: 0 ok, 1 some request failed, 2 usage or setup error.\n");
}

static double parse_seconds(const char *opt, const char *text)
{
	char *end;
	double v = strtod(text, &end);

	if (end == text || *end || !(v >= 0 && v <= 3600)) {
		fprintf(stderr, "xsbench: %s: want seconds in 0..3600, got '%s'\n",
			opt, text);
		exit(2);
	}
	return v;
}

static unsigned long long parse_count(const char *opt, const char *text,
				      unsigned long long min,
				      unsigned long long max)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno || end == text || *end || text[0] == '-' || v < min ||
	    v > max) {
		fprintf(stderr, "xsbench: %s: want a number in %llu..%llu, got '%s'\n",
			opt, min, max, text);
		exit(2);
	}
	return v;
}

/* Does token select scenario name?  Exact, or a prefix up to a '-'. */
static bool selects(const char *token, size_t len, const char *name)
{
	if ((len == 3 && strncmp(token, "all", 3) == 0))
		return true;
	return strncmp(token, name, len) == 0 &&
	       (name[len] == '\0' || name[len] == '-');
}

static unsigned int select_scenarios(const char *list,
				     const struct xsb_scenario **sel,
				     unsigned int max)
{
	unsigned int n = 0;
	const char *p = list ? list : "all";

	while (*p) {
		size_t len = strcspn(p, ",");
		bool any = false;

		for (const struct xsb_scenario *sc = xsb_scenarios; sc->name; sc++) {
			bool dup = false;

			if (!selects(p, len, sc->name))
				continue;
			any = true;
			for (unsigned int i = 0; i < n; i++)
				dup |= sel[i] == sc;
			if (!dup && n < max)
				sel[n++] = sc;
		}
		if (!any) {
			fprintf(stderr, "xsbench: unknown scenario '%.*s' (see -l)\n",
				(int)len, p);
			exit(2);
		}
		p += len;
		if (*p == ',')
			p++;
	}
	return n;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 'S' },
		{ "scenarios", required_argument, NULL, 's' },
		{ "duration", required_argument, NULL, 'd' },
		{ "count", required_argument, NULL, 'n' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "clients", required_argument, NULL, 'c' },
		{ "keys", required_argument, NULL, 'k' },
		{ "value-size", required_argument, NULL, 'V' },
		{ "repeat", required_argument, NULL, 'r' },
		{ "timeout", required_argument, NULL, 't' },
		{ "label", required_argument, NULL, 'L' },
		{ "json", no_argument, NULL, 'J' },
		{ "keep", no_argument, NULL, 'K' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "probe", no_argument, NULL, 'P' },
		{ "list", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct xsb_opts o = {
		.socket = getenv("XENSTORED_PATH"),
		.duration_s = 3,
		.warmup_s = 0.5,
		.max_s = 60,
		.keys = 1000,
		.value_len = 32,
		.timeout_ms = 5000,
		.repeat = 1,
	};
	const struct xsb_scenario *sel[64];
	struct result (*runs)[MAX_RUNS];
	const char *list = NULL;
	bool do_probe = false, duration_given = false;
	static struct xsb_conn ctl_conn;
	unsigned int nsel;
	int opt, rc, status = 0;

	while ((opt = getopt_long(argc, argv, "S:s:d:n:w:c:k:r:t:L:qlh",
				  longopts, NULL)) != -1) {
		switch (opt) {
		case 'S': o.socket = optarg; break;
		case 's': list = optarg; break;
		case 'd':
			o.duration_s = parse_seconds("-d", optarg);
			duration_given = true;
			break;
		case 'n':
			o.count = parse_count("-n", optarg, 1, 1ull << 40);
			break;
		case 'w': o.warmup_s = parse_seconds("-w", optarg); break;
		case 'c':
			o.clients = (unsigned int)parse_count("-c", optarg, 1,
							      MAX_CLIENTS);
			break;
		case 'k':
			o.keys = (unsigned int)parse_count("-k", optarg, 1,
							   1000000);
			break;
		case 'V':
			/* Stay below every daemon's default node-size quota. */
			o.value_len = (unsigned int)parse_count("--value-size",
								optarg, 0, 2000);
			break;
		case 'r':
			o.repeat = (unsigned int)parse_count("-r", optarg, 1,
							     MAX_RUNS);
			break;
		case 't':
			o.timeout_ms = (unsigned int)parse_count("-t", optarg,
								 1, 600000);
			break;
		case 'L': label = optarg; break;
		case 'J': o.json = true; break;
		case 'K': o.keep = true; break;
		case 'q': quiet = true; break;
		case 'P': do_probe = true; break;
		case 'l':
			for (const struct xsb_scenario *sc = xsb_scenarios;
			     sc->name; sc++)
				printf("%-16s %s\n", sc->name, sc->what);
			return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || !o.socket || !o.socket[0]) {
		usage(stderr);
		return 2;
	}
	if (o.count && duration_given)
		o.max_s = o.duration_s;
	if (do_probe)
		return probe(&o);
	if (!o.count && o.duration_s <= 0) {
		fprintf(stderr, "xsbench: -d must be above 0\n");
		return 2;
	}

	/* A daemon dying mid-run must show up as errors, not kill us. */
	signal(SIGPIPE, SIG_IGN);
	nsel = select_scenarios(list, sel, sizeof(sel) / sizeof(sel[0]));
	rc = xsb_connect(&ctl_conn, o.socket, o.timeout_ms);
	if (rc < 0) {
		fprintf(stderr, "xsbench: connect %s: %s\n", o.socket,
			strerror(-rc));
		return 2;
	}
	if (clean_store(&ctl_conn) < 0)
		return 2;
	runs = calloc(nsel, sizeof(*runs));
	if (!runs) {
		fprintf(stderr, "xsbench: out of memory\n");
		return 2;
	}

	/*
	 * With -r, whole rounds repeat rather than each scenario back to back,
	 * so slow drift (other load, daemon growth) spreads over all of them.
	 */
	for (unsigned int r = 0; r < o.repeat && status != 2; r++) {
		for (unsigned int i = 0; i < nsel; i++) {
			if (!quiet)
				fprintf(stderr, "xsbench: %s%s%s run %u/%u ...\n",
					label ? label : "", label ? ": " : "",
					sel[i]->name, r + 1, o.repeat);
			if (run_scenario(sel[i], &o, &ctl_conn, &runs[i][r]) < 0)
				status = 1;
			/* Each scenario starts from an empty /bench. */
			if (ctl_conn.fd < 0 ||
			    (!(o.keep && r + 1 == o.repeat && i + 1 == nsel) &&
			     clean_store(&ctl_conn) < 0)) {
				fprintf(stderr, "xsbench: lost the control connection\n");
				status = 2;
				break;
			}
		}
	}
	xsb_close(&ctl_conn);

	if (status != 2) {
		if (o.json)
			print_json(&o, sel, nsel, runs);
		else
			print_table(&o, sel, nsel, runs);
	}
	free(runs);
	return status;
}
