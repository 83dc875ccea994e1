/* SPDX-License-Identifier: MIT */
/*
 * Shared definitions of xsbench, the XenStore load generator: the options,
 * the per-client worker state, and the scenario table entry.  The runner
 * (xsbench.c) knows nothing about what a scenario does; a scenario
 * (scenarios.c) knows nothing about threads, timing or reporting.  Adding a
 * scenario is one op function (plus optional setup) and one table entry.
 */
#ifndef XSBENCH_H
#define XSBENCH_H

#include <stdbool.h>
#include <stdint.h>

#include "client.h"
#include "stats.h"

struct xsb_opts {
	const char *socket;
	double duration_s;	/* measured time per scenario */
	double warmup_s;	/* unmeasured load before it */
	uint64_t count;		/* if nonzero: ops per scenario instead */
	double max_s;		/* time cap when counting ops */
	unsigned int clients;	/* nonzero: override every scenario's */
	unsigned int keys;	/* keys per client */
	unsigned int value_len; /* bytes per written value */
	unsigned int timeout_ms; /* per request */
	unsigned int repeat;	/* runs per scenario, medians reported */
	bool json;
	bool keep;		/* leave /bench in the store afterwards */
};

struct xsb_run;

/* One client: a thread with its own connection, one request in flight. */
struct xsb_worker {
	struct xsb_run *run;
	unsigned int id;	/* 0 .. clients-1 */
	struct xsb_conn conn;
	uint64_t rng;		/* xorshift state, seeded from id */
	uint64_t seq;		/* free counter for the scenario's use */
	void *priv;		/* scenario's per-client state */
	/*
	 * Set by the runner before each op: true if this op counts toward the
	 * results (it starts inside the measured window), false in warm-up.
	 * For scenarios that record their own metrics, e.g. event latency.
	 */
	bool measuring;

	/* Results, read by the runner after the thread has been joined. */
	struct xsb_hist hist;	/* latency of successful measured ops */
	uint64_t ops;		/* measured ops, successful or not */
	uint64_t errors;
	uint64_t retries;	/* expected failures, e.g. EAGAIN commits */
	uint64_t end_ns;	/* end of the last measured op */
	char first_error[160];

	struct xsb_reply reply; /* scratch; too big for the stack */
};

/* Returned by a scenario's op function. */
enum xsb_op_result {
	XSB_OP_OK = 0,
	XSB_OP_RETRY = 1, /* not an error, not a completed op: counted apart */
	XSB_OP_ERROR = -1, /* explained with xsb_fail() */
};

struct xsb_scenario {
	const char *name;
	const char *what;	/* one line for --list */
	unsigned int clients;	/* concurrent connections */
	unsigned int arg;	/* free parameter, e.g. for variants */
	/* Once, before the clients start, on a control connection.  Optional. */
	int (*setup)(struct xsb_run *run, struct xsb_conn *ctl);
	/* In each client's thread after connecting, before timing.  Optional. */
	int (*client_setup)(struct xsb_worker *w);
	/* One measured operation; may issue several requests. */
	enum xsb_op_result (*op)(struct xsb_worker *w);
	/* After the clients are joined, on the control connection.  Optional. */
	void (*teardown)(struct xsb_run *run, struct xsb_conn *ctl);
};

/* One execution of one scenario. */
struct xsb_run {
	const struct xsb_scenario *sc;
	const struct xsb_opts *opts;
	unsigned int clients;
	void *priv;		/* scenario's shared state, from setup */

	/*
	 * Optional extra results, filled by the scenario's setup/teardown (on
	 * the runner's thread; teardown runs after the clients are joined and
	 * before the results are summarised).
	 */
	bool counts_retries;	/* report retries/(ops+retries) as a rate */
	bool has_events;	/* report events, below */
	struct xsb_hist *events; /* event delivery latency (runner-allocated) */
	uint64_t events_lost;	/* events expected but never delivered */
	uint64_t errors;	/* failures seen by setup or teardown */
	bool has_flood;		/* a flooder ran beside the clients */
	double flood_ops_per_s;	/* its replies per second */
};

/* The scenario table (scenarios.c), ended by an entry with name NULL. */
extern const struct xsb_scenario xsb_scenarios[];

/*
 * Record why an op or setup failed: counts one error and keeps the first
 * message of each client for the report.  Returns XSB_OP_ERROR.
 */
enum xsb_op_result xsb_fail(struct xsb_worker *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Uniform pseudo-random number in [0, n), n > 0. */
uint32_t xsb_rand(struct xsb_worker *w, uint32_t n);

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t xsb_now_ns(void);

#endif
