/* SPDX-License-Identifier: MIT */
/*
 * The xsbench scenarios and their table.  Each client works on its own keys,
 * /bench/c<client>/k<0..keys-1>, so that plain reads and writes measure the
 * daemon's request path and not contention between clients.  Scenarios
 * with shared state of their own live in their own files: transactions
 * (scen_txn.c, on own or shared counters), watch fan-out (scen_watch.c)
 * and fairness beside a flooding client (scen_fair.c).
 *
 * To add a scenario: write an op function (and a setup if it needs state),
 * then add one line to xsb_scenarios[] at the bottom.
 */
#include <stdio.h>
#include <string.h>

#include "scenarios.h"

#define PATH_BUF 64

static void key_path(char *buf, unsigned int client, unsigned int key)
{
	snprintf(buf, PATH_BUF, "/bench/c%u/k%u", client, key);
}

/*
 * A value of exactly value_len bytes that names its key and a generation,
 * so a read can check it got this key's data and not a neighbour's.
 */
static size_t make_value(char *buf, size_t len, unsigned int client,
			 unsigned int key, uint64_t gen)
{
	char head[64];
	int n = snprintf(head, sizeof(head), "c%u-k%u-g%llu-", client, key,
			 (unsigned long long)gen);
	size_t hn = n < 0 ? 0 : (size_t)n;

	if (hn > len)
		hn = len;
	memcpy(buf, head, hn);
	memset(buf + hn, 'x', len - hn);
	return len;
}

/* Write every key of this client with generation 0 (untimed). */
static int populate_own_keys(struct xsb_worker *w)
{
	const struct xsb_opts *o = w->run->opts;
	char path[PATH_BUF], value[XS_PAYLOAD_MAX];

	for (unsigned int k = 0; k < o->keys; k++) {
		enum xsb_status st;

		key_path(path, w->id, k);
		make_value(value, o->value_len, w->id, k, 0);
		st = xsb_write(&w->conn, 0, path, value, o->value_len,
			       &w->reply);
		if (st != XSB_OK) {
			xsb_fail(w, "populate WRITE %s: %s", path,
				 xsb_status_text(st, &w->reply));
			return -1;
		}
	}
	return 0;
}

/* READ one of our pre-populated keys and check the value is the right one. */
static enum xsb_op_result op_read(struct xsb_worker *w)
{
	const struct xsb_opts *o = w->run->opts;
	unsigned int k = xsb_rand(w, o->keys);
	char path[PATH_BUF], want[XS_PAYLOAD_MAX];
	enum xsb_status st;

	key_path(path, w->id, k);
	st = xsb_call_str(&w->conn, XS_READ, 0, path, &w->reply);
	if (st != XSB_OK)
		return xsb_fail(w, "READ %s: %s", path,
				xsb_status_text(st, &w->reply));
	make_value(want, o->value_len, w->id, k, 0);
	if (w->reply.hdr.len != o->value_len ||
	    memcmp(w->reply.data, want, o->value_len) != 0)
		return xsb_fail(w, "READ %s: wrong value (%u bytes)", path,
				w->reply.hdr.len);
	return XSB_OP_OK;
}

/* Overwrite one of our keys with a new value; the reply must be "OK". */
static enum xsb_op_result op_write(struct xsb_worker *w)
{
	const struct xsb_opts *o = w->run->opts;
	unsigned int k = xsb_rand(w, o->keys);
	char path[PATH_BUF], value[XS_PAYLOAD_MAX];
	enum xsb_status st;

	key_path(path, w->id, k);
	make_value(value, o->value_len, w->id, k, ++w->seq);
	st = xsb_write(&w->conn, 0, path, value, o->value_len, &w->reply);
	if (st != XSB_OK)
		return xsb_fail(w, "WRITE %s: %s", path,
				xsb_status_text(st, &w->reply));
	if (!xsb_reply_is_ok(&w->reply))
		return xsb_fail(w, "WRITE %s: reply is not OK", path);
	return XSB_OP_OK;
}

/*
 * The table.  Both read and write pre-populate the keys, so writes measure
 * overwriting existing nodes (the steady state of a real store), not a mix
 * of creations and overwrites.
 */
const struct xsb_scenario xsb_scenarios[] = {
	{ "read-1", "READ own keys, 1 client", 1, 0,
	  NULL, populate_own_keys, op_read, NULL },
	{ "read-16", "READ own keys, 16 clients", 16, 0,
	  NULL, populate_own_keys, op_read, NULL },
	{ "write-1", "WRITE own keys, 1 client", 1, 0,
	  NULL, populate_own_keys, op_write, NULL },
	{ "write-16", "WRITE own keys, 16 clients", 16, 0,
	  NULL, populate_own_keys, op_write, NULL },
	/* arg: counter keys, per client (own) or in all (shared). */
	{ "txn-1", "START, READ, WRITE +1, END T on 4 own keys, 1 client", 1, 4,
	  txn_setup_own, NULL, txn_op, txn_teardown },
	{ "txn-nocontend-16", "the same, 16 clients on 4 own keys each", 16, 4,
	  txn_setup_own, NULL, txn_op, txn_teardown },
	{ "txn-contend-16", "the same, 16 clients on 4 shared keys", 16, 4,
	  txn_setup_shared, NULL, txn_op, txn_teardown },
	/* arg: unrelated watches, on min(arg, 10) connections. */
	{ "watch-1", "WRITE a path 10 watchers watch, 1 unrelated watch", 1, 1,
	  watch_setup, NULL, watch_op, watch_teardown },
	{ "watch-100", "the same with 100 unrelated watches", 1, 100,
	  watch_setup, NULL, watch_op, watch_teardown },
	{ "watch-1000", "the same with 1000 unrelated watches", 1, 1000,
	  watch_setup, NULL, watch_op, watch_teardown },
	/* arg: which flooder runs beside the 10 clients (scen_fair.c). */
	{ "fair-alone", "READ/WRITE own node, 10 clients, no flooder", 10,
	  FAIR_ALONE, fair_setup, fair_client_setup, fair_op, fair_teardown },
	{ "fair-flood", "the same beside a dom0 client with 64 READs in flight",
	  10, FAIR_FLOOD_DOM0, fair_setup, fair_client_setup, fair_op,
	  fair_teardown },
	{ "fair-flood-guest", "the same, the flooder RESTRICTed to domain 7", 10,
	  FAIR_FLOOD_GUEST, fair_setup, fair_client_setup, fair_op,
	  fair_teardown },
	{ NULL, NULL, 0, 0, NULL, NULL, NULL, NULL },
};
