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
	uint32_t max = quota_limit(&r->d->quotas, Q_WATCHES);
	if (!r->caller->privileged && max && r->conn->nwatches >= max)
		return -E2BIG;
	ret = watch_add(&r->d->watches, r->conn, &r->conn->watches, path,
			r->argv[1], (uint32_t)rel, depth, &w);
	if (ret)
		return ret;
	r->conn->nwatches++;
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
	return reply_ok(&r->reply);
}

int op_reset_watches(struct request *r)
{
	watch_remove_all(&r->d->watches, &r->conn->watches);
	r->conn->nwatches = 0;
	/* The request's own transaction may go too (XSA-484): nothing below
	 * uses r->txn after this. */
	conn_drop_txns(r->conn);
	r->txn = NULL;
	r->view.txn = NULL;
	return reply_ok(&r->reply);
}
