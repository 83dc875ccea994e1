/* SPDX-License-Identifier: MIT */
/*
 * Transaction scenarios for xsbench.  One op is one attempt at a
 * read-modify-write transaction: TRANSACTION_START, READ a counter key in
 * the transaction, WRITE it back incremented, TRANSACTION_END "T".  A commit
 * is a successful op (so ops/s is commits/s and the latency is that of the
 * whole committed transaction); an EAGAIN commit is a retry, and the runner
 * calls the op again, which is how a real client retries.  The keys are
 * either each client's own (no conflicts possible: any EAGAIN is a false
 * conflict) or a few shared by every client (heavy contention).
 *
 * Teardown checks serializability cheaply: every commit added one to one
 * counter, so the counters must sum to the number of commits (warm-up
 * included).  A lower sum is a lost update, a higher one a commit that was
 * reported as failed but applied.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenarios.h"

#define PATH_BUF 64

struct txn_state {
	bool shared;		/* all clients on the same keys */
	unsigned int nkeys;	/* shared keys, or keys per client */
	_Atomic uint64_t commits; /* all commits, warm-up included */
	_Atomic uint64_t unsure; /* ENDs whose outcome we never heard */
};

static void txn_key(char *buf, const struct txn_state *ts,
		    unsigned int client, unsigned int key)
{
	if (ts->shared)
		snprintf(buf, PATH_BUF, "/bench/tx/k%u", key);
	else
		snprintf(buf, PATH_BUF, "/bench/c%u/t%u", client, key);
}

/* A whole reply that is a decimal number (XenStore values carry no NUL). */
static int parse_u64(const struct xsb_reply *r, bool nul, uint64_t *out)
{
	size_t len = r->hdr.len;
	char *end;

	if (nul) {
		if (len == 0 || r->data[len - 1] != '\0')
			return -1;
		len--;
	}
	if (len == 0 || len > 20 || r->data[0] < '0' || r->data[0] > '9')
		return -1;
	errno = 0;
	*out = strtoull(r->data, &end, 10);
	return errno || end != r->data + len ? -1 : 0;
}

/* Every key (of every client) starts at "0". */
static int txn_setup(struct xsb_run *run, struct xsb_conn *ctl, bool shared)
{
	static struct xsb_reply reply;
	unsigned int owners = shared ? 1 : run->clients;
	struct txn_state *ts = calloc(1, sizeof(*ts));
	char path[PATH_BUF];

	if (!ts)
		return -1;
	ts->shared = shared;
	ts->nkeys = run->sc->arg ? run->sc->arg : 1;
	for (unsigned int c = 0; c < owners; c++) {
		for (unsigned int k = 0; k < ts->nkeys; k++) {
			enum xsb_status st;

			txn_key(path, ts, c, k);
			st = xsb_write(ctl, 0, path, "0", 1, &reply);
			if (st != XSB_OK) {
				fprintf(stderr, "xsbench: %s: WRITE %s: %s\n",
					run->sc->name, path,
					xsb_status_text(st, &reply));
				free(ts);
				return -1;
			}
		}
	}
	run->priv = ts;
	run->counts_retries = true;
	return 0;
}

int txn_setup_own(struct xsb_run *run, struct xsb_conn *ctl)
{
	return txn_setup(run, ctl, false);
}

int txn_setup_shared(struct xsb_run *run, struct xsb_conn *ctl)
{
	return txn_setup(run, ctl, true);
}

static bool is_eagain(enum xsb_status st, const struct xsb_reply *r)
{
	return st == XSB_ERR_XS && strcmp(r->data, "EAGAIN") == 0;
}

/*
 * Abandon transaction id with END "F" if the connection still stands; its
 * reply does not matter (the daemon may have ended the transaction already).
 */
static void txn_abort(struct xsb_worker *w, uint32_t id)
{
	if (id && w->conn.fd >= 0)
		(void)xsb_call_str(&w->conn, XS_TRANSACTION_END, id, "F",
				   &w->reply);
}

/* A request inside transaction id failed: EAGAIN is a retry, else an error. */
static enum xsb_op_result txn_failed(struct xsb_worker *w, uint32_t id,
				     const char *what, const char *path,
				     enum xsb_status st)
{
	enum xsb_op_result r = XSB_OP_RETRY;

	if (!is_eagain(st, &w->reply))
		r = xsb_fail(w, "%s %s: %s", what, path,
			     xsb_status_text(st, &w->reply));
	txn_abort(w, id);
	return r;
}

enum xsb_op_result txn_op(struct xsb_worker *w)
{
	struct txn_state *ts = w->run->priv;
	char path[PATH_BUF], value[24];
	enum xsb_status st;
	uint64_t v;
	uint32_t id;
	int n;

	txn_key(path, ts, w->id, xsb_rand(w, ts->nkeys));
	st = xsb_call_str(&w->conn, XS_TRANSACTION_START, 0, "", &w->reply);
	if (st != XSB_OK)
		return txn_failed(w, 0, "TRANSACTION_START", "", st);
	if (parse_u64(&w->reply, true, &v) < 0 || v == 0 || v > UINT32_MAX)
		return xsb_fail(w, "TRANSACTION_START: bad id '%.20s'",
				w->reply.data);
	id = (uint32_t)v;

	st = xsb_call_str(&w->conn, XS_READ, id, path, &w->reply);
	if (st != XSB_OK)
		return txn_failed(w, id, "READ", path, st);
	if (parse_u64(&w->reply, false, &v) < 0) {
		xsb_fail(w, "READ %s: not a counter: '%.20s'", path,
			 w->reply.data);
		txn_abort(w, id);
		return XSB_OP_ERROR;
	}

	n = snprintf(value, sizeof(value), "%llu", (unsigned long long)v + 1);
	st = xsb_write(&w->conn, id, path, value, (size_t)n, &w->reply);
	if (st != XSB_OK)
		return txn_failed(w, id, "WRITE", path, st);
	if (!xsb_reply_is_ok(&w->reply)) {
		xsb_fail(w, "WRITE %s: reply is not OK", path);
		txn_abort(w, id);
		return XSB_OP_ERROR;
	}

	st = xsb_call_str(&w->conn, XS_TRANSACTION_END, id, "T", &w->reply);
	if (st == XSB_OK && xsb_reply_is_ok(&w->reply)) {
		atomic_fetch_add_explicit(&ts->commits, 1,
					  memory_order_relaxed);
		return XSB_OP_OK;
	}
	if (is_eagain(st, &w->reply))
		return XSB_OP_RETRY;
	/* Committed or not, we cannot tell: the sum check is off. */
	atomic_fetch_add_explicit(&ts->unsure, 1, memory_order_relaxed);
	if (st == XSB_OK)
		return xsb_fail(w, "TRANSACTION_END T: reply is not OK");
	return xsb_fail(w, "TRANSACTION_END T %s: %s", path,
			xsb_status_text(st, &w->reply));
}

/* Sum the counters; they must add up to the commits. */
void txn_teardown(struct xsb_run *run, struct xsb_conn *ctl)
{
	static struct xsb_reply reply;
	struct txn_state *ts = run->priv;
	unsigned int owners = ts->shared ? 1 : run->clients;
	uint64_t sum = 0, commits = atomic_load(&ts->commits);
	char path[PATH_BUF];

	if (atomic_load(&ts->unsure)) {
		fprintf(stderr, "xsbench: %s: commit outcome unknown after"
			" errors, counter check skipped\n", run->sc->name);
		goto out;
	}
	for (unsigned int c = 0; c < owners; c++) {
		for (unsigned int k = 0; k < ts->nkeys; k++) {
			enum xsb_status st;
			uint64_t v;

			txn_key(path, ts, c, k);
			st = xsb_call_str(ctl, XS_READ, 0, path, &reply);
			if (st != XSB_OK || parse_u64(&reply, false, &v) < 0) {
				fprintf(stderr, "xsbench: %s: READ %s: %s\n",
					run->sc->name, path,
					st != XSB_OK ? xsb_status_text(st, &reply)
						     : "not a counter");
				run->errors++;
				goto out;
			}
			sum += v;
		}
	}
	if (sum != commits) {
		fprintf(stderr, "xsbench: %s: counters sum to %llu but %llu"
			" transactions committed (%s)\n", run->sc->name,
			(unsigned long long)sum, (unsigned long long)commits,
			sum < commits ? "lost updates" : "failed commits applied");
		run->errors++;
	}
out:
	free(ts);
	run->priv = NULL;
}
