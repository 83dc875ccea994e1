/* SPDX-License-Identifier: MIT */
/* Transaction requests: TRANSACTION_START and TRANSACTION_END. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "conn.h"
#include "daemon.h"
#include "ops.h"
#include "txn.h"

int op_transaction_start(struct request *r)
{
	struct conn *c = r->conn;
	struct usage mine = acct_usage(r->d, r->caller->domid);

	if (quota_exceeded(r->d, r->caller, Q_TRANSACTIONS,
			   (uint64_t)mine.txns + 1))
		return -ENOSPC;
	/* Ids are per connection, never 0, never one still open. */
	uint32_t id = c->next_tx_id;
	while (id == 0 || conn_find_txn(c, id))
		id++;
	c->next_tx_id = id + 1;

	uint32_t txmax = r->caller->privileged
				 ? 0
				 : quota_for(r->d, r->caller->domid, Q_TXNODES);
	struct txn *t = txn_new(&r->d->store, id, txmax);
	if (!t)
		return -ENOMEM;
	if (acct_memory_reserve(r->d, r->caller, t->bytes) != 0) {
		txn_free(t);
		return -ENOMEM;
	}
	t->next = c->txns;
	c->txns = t;
	c->ntxns++;
	struct usage u = {.txns = 1, .bytes = (int64_t)t->bytes};
	acct_add(c, &u);
	t->charged = t->bytes;

	char buf[16];
	snprintf(buf, sizeof(buf), "%u", id);
	return reply_str(&r->reply, buf);
}

static void unlink_txn(struct conn *c, struct txn *t)
{
	for (struct txn **pp = &c->txns; *pp; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			return;
		}
	}
}

int op_transaction_end(struct request *r)
{
	const char *arg = r->argv[0];
	struct txn *t = r->txn;
	int ret = 0;

	if (strcmp(arg, "T") != 0 && strcmp(arg, "F") != 0)
		return -EINVAL;
	if (!t)
		return -ENOENT; /* tx_id 0 */
	unlink_txn(r->conn, t);
	if (arg[0] == 'T') {
		/* Nodes made in other transactions since count now. */
		uint32_t domid = r->caller->domid;
		if (quota_exceeded(r->d, r->caller, Q_NODES,
				   (uint64_t)store_owner_nodes(&r->d->store, domid) +
					   txn_new_nodes(t, &r->d->store, domid)))
			ret = -ENOSPC;
		/* Each changed node fires once, in commit order. */
		r->changes.dedupe = true;
		if (ret == 0)
			ret = txn_commit(t, &r->d->store, &r->changes);
	}
	conn_txn_freed(r->conn, t);
	r->txn = NULL;
	r->view.txn = NULL;
	return ret ? ret : reply_ok(&r->reply);
}
