/* SPDX-License-Identifier: MIT */
/*
 * Watch requests: WATCH, UNWATCH, RESET_WATCHES.  The tx_id of WATCH and
 * UNWATCH is ignored, as the protocol says.
 */
#include <errno.h>
#include <string.h>

#include "common/codec.h"
#include "common/path.h"
#include "conn.h"
#include "daemon.h"
#include "ops.h"
#include "watch.h"

/* Deepest depth argument we take: no path has more components. */
#define WATCH_DEPTH_MAX (XS_ABS_PATH_MAX / 2)

int op_watch(struct request *r)
{
	char path[PATH_BUF_SIZE];
	size_t rel;
	int depth = -1;
	struct watch *w;
	int ret = req_path(r, 0, true, path, &rel);

	if (ret)
		return ret;
	if (r->argc == 3) {
		uint64_t v;
		/* Only for callers that were offered the feature. */
		if (!(r->caller->features & XS_FEATURE_WATCH_DEPTH))
			return -EINVAL;
		if (xs_parse_uint(r->argv[2], WATCH_DEPTH_MAX, &v) != 0)
			return -EINVAL;
		depth = (int)v;
		/* Special watches take only depth 1: name the domain. */
		if (path_is_special(path) && depth != 1)
			return -EINVAL;
	}
	struct usage mine = acct_usage(r->d, r->caller->domid);
	if (quota_exceeded(r->d, r->caller, Q_WATCHES, (uint64_t)mine.watches + 1))
		return -E2BIG;
	uint64_t charge = watch_charge_of(path, r->argv[1]);
	if (acct_memory_reserve(r->d, r->caller, charge) != 0)
		return -ENOMEM;
	ret = watch_add(&r->d->watches, r->conn, &r->conn->watches, path,
			r->argv[1], (uint32_t)rel, depth, &w);
	if (ret)
		return ret;
	r->conn->nwatches++;
	struct usage u = {.watches = 1, .bytes = (int64_t)charge};
	acct_add(r->conn, &u);
	r->initial_event = w;
	return reply_ok(&r->reply);
}

int op_unwatch(struct request *r)
{
	char path[PATH_BUF_SIZE];
	size_t rel;
	int ret = req_path(r, 0, true, path, &rel);

	if (ret)
		return ret;
	ret = watch_remove(&r->d->watches, &r->conn->watches, path, r->argv[1]);
	if (ret)
		return ret;
	r->conn->nwatches--;
	struct usage u = {.watches = -1,
			  .bytes = -(int64_t)watch_charge_of(path, r->argv[1])};
	acct_add(r->conn, &u);
	return reply_ok(&r->reply);
}

int op_reset_watches(struct request *r)
{
	conn_remove_watches(r->conn);
	/* The request's own transaction may go too (XSA-484): nothing below
	 * uses r->txn after this. */
	conn_drop_txns(r->conn);
	r->txn = NULL;
	r->view.txn = NULL;
	return reply_ok(&r->reply);
}
