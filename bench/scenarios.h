/* SPDX-License-Identifier: MIT */
/*
 * The scenario functions of xsbench that live outside scenarios.c, which
 * holds the table: transactions (scen_txn.c) and watch fan-out
 * (scen_watch.c) and fairness under a flood (scen_fair.c).  Each file's top comment says what its scenarios measure;
 * the table entries in scenarios.c say with how many clients.
 */
#ifndef XSBENCH_SCENARIOS_H
#define XSBENCH_SCENARIOS_H

#include "xsbench.h"

/*
 * Transactions, one op = START, READ a key, WRITE it incremented, END T.
 * The scenario's arg is the number of keys: shared by all clients for
 * txn_setup_shared, per client for txn_setup_own.
 */
int txn_setup_own(struct xsb_run *run, struct xsb_conn *ctl);
int txn_setup_shared(struct xsb_run *run, struct xsb_conn *ctl);
enum xsb_op_result txn_op(struct xsb_worker *w);
void txn_teardown(struct xsb_run *run, struct xsb_conn *ctl);

/*
 * Watch fan-out: the clients (one) write /bench/hot while 10 watchers of it
 * and arg watches on unrelated paths are registered.
 */
int watch_setup(struct xsb_run *run, struct xsb_conn *ctl);
enum xsb_op_result watch_op(struct xsb_worker *w);
void watch_teardown(struct xsb_run *run, struct xsb_conn *ctl);

/*
 * Fairness: normal clients, one request at a time, alone or beside a
 * flooding connection.  The scenario's arg says which flooder, if any.
 */
enum { FAIR_ALONE = 0, FAIR_FLOOD_DOM0 = 1, FAIR_FLOOD_GUEST = 2 };
int fair_setup(struct xsb_run *run, struct xsb_conn *ctl);
int fair_client_setup(struct xsb_worker *w);
enum xsb_op_result fair_op(struct xsb_worker *w);
void fair_teardown(struct xsb_run *run, struct xsb_conn *ctl);

#endif
