/* SPDX-License-Identifier: MIT */
/*
 * The one dispatch table and the generic request path; see dispatch.h.
 *
 * Order of output for one request follows the reference daemon: watch
 * events caused by the request are queued before its reply (a client
 * watching what it writes sees the event first), and the initial event of a
 * new watch after the WATCH reply.
 */
#include "dispatch.h"

#include <errno.h>
#include <string.h>

#include "acl.h"
#include "common/codec.h"
#include "common/path.h"
#include "common/xs_err.h"
#include "conn.h"
#include "daemon.h"
#include "ops.h"
#include "stats.h"
#include "trace.h"
#include "txn.h"
#include "watch.h"

enum op_flags {
	OP_PRIV = 1u << 0,	/* privileged callers only, else EACCES */
	OP_TXN = 1u << 1,	/* works inside a transaction */
	OP_NO_TX = 1u << 2,	/* tx_id ignored altogether (WATCH, UNWATCH) */
	OP_RAW = 1u << 3,	/* handler parses the payload itself */
	OP_WRITE = 1u << 4,	/* changes the tree: write-rate limited */
};

struct op_desc {
	const char *name;
	int (*fn)(struct request *r);
	unsigned int flags;
	unsigned char min_args, max_args;
};

static const struct op_desc op_table[XS_TYPE_COUNT] = {
	[XS_CONTROL] = {"CONTROL", op_control, OP_PRIV | OP_RAW, 0, 0},
	[XS_DIRECTORY] = {"DIRECTORY", op_directory, OP_TXN, 1, 1},
	[XS_READ] = {"READ", op_read, OP_TXN, 1, 1},
	[XS_GET_PERMS] = {"GET_PERMS", op_get_perms, OP_TXN, 1, 1},
	[XS_WATCH] = {"WATCH", op_watch, OP_NO_TX, 2, 3},
	[XS_UNWATCH] = {"UNWATCH", op_unwatch, OP_NO_TX, 2, 3},
	[XS_TRANSACTION_START] = {"TRANSACTION_START", op_transaction_start, 0, 0, 1},
	[XS_TRANSACTION_END] = {"TRANSACTION_END", op_transaction_end, OP_TXN, 1, 1},
	[XS_INTRODUCE] = {"INTRODUCE", op_introduce, OP_PRIV, 3, 4},
	[XS_RELEASE] = {"RELEASE", op_release, OP_PRIV, 1, 1},
	[XS_GET_DOMAIN_PATH] = {"GET_DOMAIN_PATH", op_get_domain_path, 0, 1, 1},
	[XS_WRITE] = {"WRITE", op_write, OP_TXN | OP_RAW | OP_WRITE, 0, 0},
	[XS_MKDIR] = {"MKDIR", op_mkdir, OP_TXN | OP_WRITE, 1, 1},
	[XS_RM] = {"RM", op_rm, OP_TXN | OP_WRITE, 1, 1},
	[XS_SET_PERMS] = {"SET_PERMS", op_set_perms, OP_TXN | OP_RAW | OP_WRITE, 0, 0},
	[XS_WATCH_EVENT] = {"WATCH_EVENT", NULL, 0, 0, 0},
	[XS_ERROR] = {"ERROR", NULL, 0, 0, 0},
	[XS_IS_DOMAIN_INTRODUCED] = {"IS_DOMAIN_INTRODUCED", op_is_domain_introduced,
				     OP_PRIV, 1, 1},
	[XS_RESUME] = {"RESUME", op_resume, OP_PRIV, 1, 1},
	[XS_SET_TARGET] = {"SET_TARGET", op_set_target, OP_PRIV, 2, 2},
	[XS_RESTRICT] = {"RESTRICT", op_restrict, OP_PRIV, 1, 1},
	[XS_RESET_WATCHES] = {"RESET_WATCHES", op_reset_watches, 0, 0, 1},
	[XS_DIRECTORY_PART] = {"DIRECTORY_PART", op_directory_part, OP_TXN, 2, 2},
	[XS_GET_FEATURE] = {"GET_FEATURE", op_get_feature, OP_PRIV, 0, 1},
	[XS_SET_FEATURE] = {"SET_FEATURE", op_set_feature, OP_PRIV, 2, 2},
	[XS_GET_QUOTA] = {"GET_QUOTA", op_get_quota, OP_PRIV, 0, 2},
	[XS_SET_QUOTA] = {"SET_QUOTA", op_set_quota, OP_PRIV, 2, 3},
};
_Static_assert(sizeof(op_table) / sizeof(op_table[0]) == XS_TYPE_COUNT,
	       "one table entry per message type");

const char *dispatch_type_name(uint32_t type)
{
	return type < XS_TYPE_COUNT ? op_table[type].name : NULL;
}

int reply_add(struct reply *r, const void *data, size_t len)
{
	if (len > sizeof(r->buf) - r->len)
		return -E2BIG;
	if (len == 0)
		return 0; /* data may be NULL (an empty value) */
	memcpy(r->buf + r->len, data, len);
	r->len += (uint32_t)len;
	return 0;
}

int reply_str(struct reply *r, const char *s)
{
	return reply_add(r, s, strlen(s) + 1);
}

int reply_ok(struct reply *r)
{
	return reply_str(r, "OK");
}

int req_path(struct request *r, unsigned int i, bool allow_special, char *out,
	     size_t *rel_len)
{
	if (i >= r->argc)
		return -EINVAL;
	int ret = path_canonical(r->argv[i], r->caller->domid, allow_special, out,
				 rel_len);
	if (ret)
		return ret;
	/* XSA-323: limit the part below the home, however it was written. */
	if (out[0] == '/' &&
	    quota_exceeded(r->d, r->caller, Q_PATHMAX, path_quota_len(out)))
		return -EINVAL;
	return 0;
}

struct fire_ctx {
	const struct change *ch;
};

static void deliver_event(void *arg, struct watch *w, const char *path)
{
	const struct fire_ctx *f = arg;
	struct conn *c = w->owner;

	if (c->dead)
		return;
	/* Watchers only hear of nodes they may read or list (XSA-115). */
	const struct xs_perm *p = f->ch->perms;
	bool allowed = false;
	for (int i = 0; i < CHANGE_PERM_SETS && !allowed; i++) {
		/* Entries count only for domains known when they were set. */
		const struct acl_check chk = {.valid = domain_entry_valid,
					      .ctx = &c->d->domains,
					      .pgen = f->ch->pgen[i]};
		uint32_t n = f->ch->nperms[i];
		allowed = n && (acl_access(&c->caller, p, n, &chk) & PERM_READ);
		p += n;
	}
	if (!allowed)
		return;
	conn_queue_event(c, watch_event_path(w, path), w->token);
}

void req_fire_changes(struct daemon *d, struct changes *ch)
{
	for (size_t i = 0; i < ch->n; i++) {
		struct fire_ctx f = {.ch = &ch->v[i]};
		watch_fire(&d->watches, ch->v[i].path, ch->v[i].exact, deliver_event,
			   &f);
	}
}

void req_fire_special(struct daemon *d, int which, unsigned int domid)
{
	struct special_perms *sp = &d->special[which];
	struct change ch = {.path = (char *)sp->path, .perms = sp->perms,
			    .nperms = {sp->nperms}, .pgen = {sp->pgen}};
	struct fire_ctx f = {.ch = &ch};

	/* Readers of the special node's permissions hear it (XSA-115). */
	watch_fire_special(&d->watches, sp->path, domid, deliver_event, &f);
}

/* The generic checks; 0 to call the handler, else -errno. */
static int prepare(struct request *r, const struct op_desc *op)
{
	uint32_t tx_id = r->hdr.tx_id;

	if (!op->fn)
		return -ENOSYS;
	if ((op->flags & OP_PRIV) && !r->caller->privileged)
		return -EACCES;
	if (tx_id && !(op->flags & OP_NO_TX)) {
		r->txn = conn_find_txn(r->conn, tx_id);
		if (!r->txn)
			return -ENOENT;
		if (r->hdr.type == XS_TRANSACTION_START)
			return -EBUSY; /* no nesting */
		if (!(op->flags & OP_TXN))
			r->txn = NULL; /* valid id, but this op ignores it */
	}
	if (op->flags & OP_RAW)
		return 0;
	int ret = xs_split_args(r->payload, r->hdr.len, r->argv, op->max_args,
				&r->argc);
	if (ret)
		return ret;
	if (r->argc < op->min_args)
		return -EINVAL;
	return 0;
}

void dispatch_message(struct conn *c, const struct xs_msg_hdr *hdr,
		      const char *payload)
{
	struct daemon *d = c->d;
	static const struct op_desc unknown = {"UNKNOWN", NULL, 0, 0, 0};
	const struct op_desc *op = hdr->type < XS_TYPE_COUNT ? &op_table[hdr->type]
							     : &unknown;
	struct request *r = &(struct request){0};
	int ret;

	r->d = d;
	r->conn = c;
	r->caller = &c->caller;
	r->hdr = *hdr;
	r->payload = payload;
	changes_init(&r->changes, false);
	stats_count_request(&d->stats, hdr->type);
	trace_request(d, c, hdr, payload);

	ret = prepare(r, op);
	if (ret == 0) {
		r->view.store = &d->store;
		r->view.txn = r->txn;
		r->view.changes = &r->changes;
		ret = op->fn(r);
	}
	if (ret == 0 && (op->flags & OP_WRITE))
		acct_write_debit(c);
	/* A transaction that lives on is charged for what it grew by. */
	if (r->txn && !c->dead)
		conn_txn_recharge(c, r->txn);
	/* The transaction's node quota is decided inside txn.c, which
	 * knows no domain: tell it here. */
	if (ret == -ENOSPC && r->txn && r->txn->max_nodes &&
	    r->txn->nnodes >= r->txn->max_nodes)
		stats_quota_hit(d, c->caller.domid, Q_TXNODES,
				(uint64_t)r->txn->nnodes + 1, r->txn->max_nodes);
	req_fire_changes(d, &r->changes);
	changes_release(&r->changes);

	if (ret < 0) {
		const char *name = xs_err_name(-ret);
		stats_count_error(&d->stats, name);
		conn_queue(c, XS_ERROR, hdr->req_id, hdr->tx_id, name, strlen(name) + 1,
			   false);
	} else if (!r->reply_later) {
		conn_queue(c, hdr->type, hdr->req_id, hdr->tx_id, r->reply.buf,
			   r->reply.len, false);
	}
	if (r->initial_event)
		conn_queue_event(c, watch_event_path(r->initial_event,
						     r->initial_event->path),
				 r->initial_event->token);
}
