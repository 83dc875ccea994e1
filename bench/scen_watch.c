/* SPDX-License-Identifier: MIT */
/*
 * Watch fan-out scenarios for xsbench.  One writer (the scenario's single
 * client) overwrites /bench/hot in a loop while 10 "hot" watchers, each on
 * its own connection with its own reader thread, watch that path, and N
 * further watches on unrelated paths /bench/w/<i> sit on up to 10 more
 * connections (N spread round-robin).  The question answered: does the cost
 * of a write grow with the number of watches that do not match it?  The
 * writer's ops give writes/s and write latency; the hot watchers give event
 * delivery latency.
 *
 * Matching events to writes: an event carries only the path and token, not
 * the value, but the events of one watch arrive in order, one per write.
 * So the writer numbers its successful writes 1, 2, 3, ... and stamps the
 * send time of write k in a ring before sending it, and the k-th event a
 * watcher receives (after the one WATCH fires at once) belongs to write k:
 * its latency is receive time minus that stamp.  Only writes sent inside the
 * measured window count.  At the end every hot watcher must have received
 * exactly one event per write: fewer are reported as lost (and make the
 * later pairings, hence the latencies, unreliable), more are errors, and so
 * is any event on an unrelated watch.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scenarios.h"

#define HOT_PATH "/bench/hot"
#define HOT_WATCHERS 10u
#define MAX_OTHER_CONNS 10
#define RING_BITS 18		/* stamps kept: far more than any lag */
#define RING_MASK ((1u << RING_BITS) - 1)
#define READER_POLL_MS 100	/* how soon a reader notices the stop */
#define DRAIN_IDLE_MS 1000	/* stop waiting for events when none came */
#define DRAIN_MAX_MS 30000	/* for this long, or trickled for this long */

/*
 * Send time of write seq, published seqlock-style (seq 0: being written).
 * All accesses are sequentially consistent, which makes the protocol
 * correct without fences (that ThreadSanitizer cannot follow); at one
 * store per write the cost does not matter.
 */
struct stamp {
	_Atomic uint64_t seq;
	_Atomic uint64_t t_ns;	/* bit 0 set: sent inside the window */
};

struct watch_state;

struct hot_watcher {
	struct watch_state *ws;
	struct xsb_conn conn;
	pthread_t thread;
	bool running;
	char token[16];
	_Atomic uint64_t received; /* events since the initial one */
	/* Owned by the reader thread until it is joined. */
	struct xsb_hist hist;
	uint64_t unmatched;	/* stamp gone: the reader fell far behind */
	uint64_t bad;		/* anything but the expected event */
	char first_bad[128];
	struct xsb_reply msg;
};

struct watch_state {
	struct stamp *ring;
	uint64_t written;	/* successful writes; the writer's only */
	_Atomic bool stop;
	struct hot_watcher *hot; /* [HOT_WATCHERS] */
	struct xsb_conn *others; /* [nothers], unrelated watches */
	unsigned int nothers;
};

static void stamp_put(struct watch_state *ws, uint64_t seq, uint64_t t,
		      bool measured)
{
	struct stamp *s = &ws->ring[seq & RING_MASK];

	atomic_store(&s->seq, 0);
	atomic_store(&s->t_ns, (t & ~1ull) | measured);
	atomic_store(&s->seq, seq);
}

static bool stamp_get(struct watch_state *ws, uint64_t seq, uint64_t *t,
		      bool *measured)
{
	struct stamp *s = &ws->ring[seq & RING_MASK];
	uint64_t s1, s2, v;

	s1 = atomic_load(&s->seq);
	v = atomic_load(&s->t_ns);
	s2 = atomic_load(&s->seq);
	if (s1 != seq || s2 != seq)
		return false;
	*t = v & ~1ull;
	*measured = v & 1;
	return true;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000,
			       .tv_nsec = (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

static void hot_bad(struct hot_watcher *h, const char *what)
{
	if (h->bad++ == 0)
		snprintf(h->first_bad, sizeof(h->first_bad), "%s", what);
}

/* Is msg the event "path\0token\0" of a watch? */
static bool is_event(const struct xsb_reply *msg, const char *path,
		     const char *token)
{
	size_t pl = strlen(path) + 1, tl = strlen(token) + 1;

	return msg->hdr.type == XS_WATCH_EVENT && msg->hdr.req_id == 0 &&
	       msg->hdr.len == pl + tl && memcmp(msg->data, path, pl) == 0 &&
	       memcmp(msg->data + pl, token, tl) == 0;
}

static void *hot_main(void *arg)
{
	struct hot_watcher *h = arg;
	struct watch_state *ws = h->ws;

	while (!atomic_load_explicit(&ws->stop, memory_order_relaxed)) {
		int rc = xsb_next_msg(&h->conn, &h->msg);
		uint64_t now = xsb_now_ns(), k, sent;
		bool measured;

		if (rc == 0)
			continue;
		if (rc < 0) {
			hot_bad(h, "connection lost");
			break;
		}
		if (!is_event(&h->msg, HOT_PATH, h->token)) {
			char what[96];

			snprintf(what, sizeof(what),
				 "unexpected message type %u len %u: '%.40s'",
				 h->msg.hdr.type, h->msg.hdr.len, h->msg.data);
			hot_bad(h, what);
			continue;
		}
		k = atomic_load_explicit(&h->received, memory_order_relaxed) + 1;
		if (!stamp_get(ws, k, &sent, &measured))
			h->unmatched++;
		else if (measured)
			xsb_hist_add(&h->hist, now > sent ? now - sent : 0);
		atomic_store_explicit(&h->received, k, memory_order_release);
	}
	return NULL;
}

static void count_event(void *arg, const char *payload, size_t len)
{
	(*(unsigned int *)arg)++;
}

/* Path and token of hot watch i, or of unrelated watch i. */
static void watch_name(bool hot, unsigned int i, char *path, size_t plen,
		       char *token, size_t tlen)
{
	if (hot) {
		snprintf(path, plen, "%s", HOT_PATH);
		snprintf(token, tlen, "h%u", i);
	} else {
		snprintf(path, plen, "/bench/w/%u", i);
		snprintf(token, tlen, "u%u", i);
	}
}

/*
 * Register watches number first, first + step, ... below end on c and
 * swallow the event each fires at once (whether the daemon sends it before
 * or after the reply).
 */
static int add_watches(struct xsb_run *run, struct xsb_conn *c, bool hot,
		       unsigned int first, unsigned int step, unsigned int end)
{
	static struct xsb_reply reply;
	unsigned int fired = 0, want = 0;

	c->on_event = count_event;
	c->event_arg = &fired;
	for (unsigned int i = first; i < end; i += step) {
		char path[64], token[32];
		size_t pl;
		enum xsb_status st;

		watch_name(hot, i, path, sizeof(path), token, sizeof(token));
		pl = strlen(path) + 1;
		st = xsb_call2(c, XS_WATCH, 0, path, pl, token,
			       strlen(token) + 1, &reply);
		if (st != XSB_OK) {
			fprintf(stderr, "xsbench: %s: WATCH %s #%u: %s\n",
				run->sc->name, path, want + 1,
				xsb_status_text(st, &reply));
			goto fail;
		}
		want++;
	}
	while (fired < want) {
		int rc = xsb_next_msg(c, &reply);

		if (rc <= 0 || reply.hdr.type != XS_WATCH_EVENT) {
			fprintf(stderr, "xsbench: %s: %u of %u initial watch"
				" events, then %s\n", run->sc->name, fired,
				want, rc < 0 ? "connection lost" :
				rc == 0 ? "timeout" : "another message");
			goto fail;
		}
		fired++;
	}
	c->on_event = NULL;
	c->event_arg = NULL;
	return 0;
fail:
	c->on_event = NULL;
	c->event_arg = NULL;
	return -1;
}

/* Stop the readers and close everything; safe on a half-done setup. */
static void watch_free(struct watch_state *ws)
{
	atomic_store(&ws->stop, true);
	for (unsigned int i = 0; i < HOT_WATCHERS; i++) {
		if (ws->hot[i].running)
			pthread_join(ws->hot[i].thread, NULL);
		xsb_close(&ws->hot[i].conn);
	}
	for (unsigned int i = 0; i < ws->nothers; i++)
		xsb_close(&ws->others[i]);
	free(ws->others);
	free(ws->hot);
	free(ws->ring);
	free(ws);
}

int watch_setup(struct xsb_run *run, struct xsb_conn *ctl)
{
	static struct xsb_reply reply;
	const struct xsb_opts *o = run->opts;
	unsigned int n = run->sc->arg;
	struct watch_state *ws;
	enum xsb_status st;
	int rc;

	if (run->clients != 1) {
		fprintf(stderr, "xsbench: %s: pairs events with writes, so it"
			" needs exactly 1 writer, not %u (-c)\n",
			run->sc->name, run->clients);
		return -1;
	}
	/* The writes overwrite: no creation event, no parent change. */
	st = xsb_write(ctl, 0, HOT_PATH, "0", 1, &reply);
	if (st != XSB_OK) {
		fprintf(stderr, "xsbench: %s: WRITE %s: %s\n", run->sc->name,
			HOT_PATH, xsb_status_text(st, &reply));
		return -1;
	}

	ws = calloc(1, sizeof(*ws));
	if (!ws)
		return -1;
	ws->ring = calloc(RING_MASK + 1, sizeof(*ws->ring));
	ws->hot = calloc(HOT_WATCHERS, sizeof(*ws->hot));
	ws->nothers = n < MAX_OTHER_CONNS ? n : MAX_OTHER_CONNS;
	ws->others = calloc(ws->nothers ? ws->nothers : 1, sizeof(*ws->others));
	if (!ws->ring || !ws->hot || !ws->others) {
		ws->nothers = 0;
		goto fail;
	}
	for (unsigned int i = 0; i < HOT_WATCHERS; i++)
		ws->hot[i].conn.fd = -1;
	for (unsigned int i = 0; i < ws->nothers; i++)
		ws->others[i].fd = -1;

	/* Unrelated watch j goes to connection j % nothers. */
	for (unsigned int i = 0; i < ws->nothers; i++) {
		rc = xsb_connect(&ws->others[i], o->socket, o->timeout_ms);
		if (rc < 0) {
			fprintf(stderr, "xsbench: %s: connect: %s\n",
				run->sc->name, strerror(-rc));
			goto fail;
		}
		if (add_watches(run, &ws->others[i], false, i,
				ws->nothers, n) < 0)
			goto fail;
	}

	for (unsigned int i = 0; i < HOT_WATCHERS; i++) {
		struct hot_watcher *h = &ws->hot[i];

		h->ws = ws;
		xsb_hist_init(&h->hist);
		snprintf(h->token, sizeof(h->token), "h%u", i);
		rc = xsb_connect(&h->conn, o->socket, o->timeout_ms);
		if (rc < 0) {
			fprintf(stderr, "xsbench: %s: connect: %s\n",
				run->sc->name, strerror(-rc));
			goto fail;
		}
		if (add_watches(run, &h->conn, true, i, 1, i + 1) < 0)
			goto fail;
		xsb_set_timeout(&h->conn, READER_POLL_MS);
		if (pthread_create(&h->thread, NULL, hot_main, h) != 0) {
			fprintf(stderr, "xsbench: %s: cannot start watcher\n",
				run->sc->name);
			goto fail;
		}
		h->running = true;
	}
	run->priv = ws;
	run->has_events = true;
	return 0;
fail:
	watch_free(ws);
	return -1;
}

enum xsb_op_result watch_op(struct xsb_worker *w)
{
	struct watch_state *ws = w->run->priv;
	uint64_t k = ws->written + 1;
	enum xsb_status st;
	char value[24];
	int n = snprintf(value, sizeof(value), "%llu", (unsigned long long)k);

	/* Stamped before the send: the event may arrive before the reply. */
	stamp_put(ws, k, xsb_now_ns(), w->measuring);
	st = xsb_write(&w->conn, 0, HOT_PATH, value, (size_t)n, &w->reply);
	if (st != XSB_OK)
		return xsb_fail(w, "WRITE %s: %s", HOT_PATH,
				xsb_status_text(st, &w->reply));
	if (!xsb_reply_is_ok(&w->reply))
		return xsb_fail(w, "WRITE %s: reply is not OK", HOT_PATH);
	ws->written = k;
	return XSB_OP_OK;
}

static uint64_t total_received(struct watch_state *ws, bool *all)
{
	uint64_t sum = 0;

	*all = true;
	for (unsigned int i = 0; i < HOT_WATCHERS; i++) {
		uint64_t r = atomic_load_explicit(&ws->hot[i].received,
						  memory_order_acquire);

		sum += r;
		if (r < ws->written)
			*all = false;
	}
	return sum;
}

void watch_teardown(struct xsb_run *run, struct xsb_conn *ctl)
{
	struct watch_state *ws = run->priv;
	const char *name = run->sc->name;
	uint64_t last = 0, extra = 0, unmatched = 0, lost = 0, stray = 0;
	uint64_t idle_since = xsb_now_ns(), start = idle_since;
	unsigned int shown = 0;
	bool all;

	/* Events may still be on their way after the last write's reply. */
	for (;;) {
		uint64_t got = total_received(ws, &all);

		if (all)
			break;
		if (got != last) {
			last = got;
			idle_since = xsb_now_ns();
		} else if (xsb_now_ns() - idle_since >
			   DRAIN_IDLE_MS * 1000000ull) {
			break;
		}
		if (xsb_now_ns() - start > DRAIN_MAX_MS * 1000000ull)
			break;
		sleep_ms(1);
	}
	atomic_store(&ws->stop, true);
	for (unsigned int i = 0; i < HOT_WATCHERS; i++) {
		struct hot_watcher *h = &ws->hot[i];
		uint64_t r;

		pthread_join(h->thread, NULL);
		h->running = false;
		r = atomic_load(&h->received);
		xsb_hist_merge(run->events, &h->hist);
		if (r < ws->written)
			lost += ws->written - r;
		else
			extra += r - ws->written;
		unmatched += h->unmatched;
		if (h->bad) {
			run->errors += h->bad;
			if (shown++ < 3)
				fprintf(stderr, "xsbench: %s: watcher %s: %s"
					" (%llu bad messages)\n", name,
					h->token, h->first_bad,
					(unsigned long long)h->bad);
		}
	}
	run->events_lost = lost;
	if (lost)
		fprintf(stderr, "xsbench: %s: %llu of %llu events never arrived"
			" (%u watchers x %llu writes); event latencies are"
			" unreliable\n", name, (unsigned long long)lost,
			(unsigned long long)ws->written * HOT_WATCHERS,
			HOT_WATCHERS, (unsigned long long)ws->written);
	if (extra) {
		fprintf(stderr, "xsbench: %s: %llu events more than writes\n",
			name, (unsigned long long)extra);
		run->errors += extra;
	}
	if (unmatched)
		fprintf(stderr, "xsbench: %s: %llu events too late to pair with"
			" their write\n", name, (unsigned long long)unmatched);

	/* Nothing was written under /bench/w: those watches must be silent. */
	for (unsigned int i = 0; i < ws->nothers; i++) {
		static struct xsb_reply msg;
		struct xsb_conn *c = &ws->others[i];

		xsb_set_timeout(c, 1);
		while (c->fd >= 0 && xsb_next_msg(c, &msg) > 0) {
			if (stray++ < 3)
				fprintf(stderr, "xsbench: %s: unrelated watcher"
					" got type %u '%.60s'\n", name,
					msg.hdr.type, msg.data);
		}
	}
	if (stray) {
		fprintf(stderr, "xsbench: %s: %llu messages on unrelated"
			" watches\n", name, (unsigned long long)stray);
		run->errors += stray;
	}
	watch_free(ws);
	run->priv = NULL;
}
