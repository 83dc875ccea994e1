/* SPDX-License-Identifier: MIT */
/*
 * Writing the state stream; see stream.h for the format and
 * docs/live-update.md for every record's fields.
 *
 * The stream is built in one growing buffer and then written out: records
 * carry their length in front, and a buffer lets each be patched in place
 * once its body is complete.  Fields are in the host's byte order (the
 * header's flags say which); the header itself is big-endian.
 *
 * Order matters to the reader: domains before the nodes whose permissions
 * name them, nodes before connections, a connection before its watches and
 * transactions, transactions in the order their snapshots were opened, and
 * the history those snapshots read after all of them.
 */
#include "stream.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/path.h"
#include "conn.h"
#include "daemon.h"
#include "domain.h"
#include "store.h"
#include "transport_sock.h"
#include "txn.h"
#include "watch.h"

struct sbuf {
	char *p;
	size_t len, cap;
	int err;		/* first failure, 0 while all is well */
};

static void sb_reserve(struct sbuf *b, size_t more)
{
	if (b->err || b->cap - b->len >= more)
		return;
	size_t cap = b->cap ? b->cap : 65536;
	while (cap - b->len < more) {
		if (cap > SIZE_MAX / 2) {
			b->err = -ENOMEM;
			return;
		}
		cap *= 2;
	}
	char *np = realloc(b->p, cap);
	if (!np) {
		b->err = -ENOMEM;
		return;
	}
	b->p = np;
	b->cap = cap;
}

static void put(struct sbuf *b, const void *data, size_t len)
{
	sb_reserve(b, len);
	if (b->err || len == 0)
		return;
	memcpy(b->p + b->len, data, len);
	b->len += len;
}

static void put_u8(struct sbuf *b, uint8_t v) { put(b, &v, 1); }
static void put_u16(struct sbuf *b, uint16_t v) { put(b, &v, 2); }
static void put_u32(struct sbuf *b, uint32_t v) { put(b, &v, 4); }
static void put_u64(struct sbuf *b, uint64_t v) { put(b, &v, 8); }

static void put_be32(struct sbuf *b, uint32_t v)
{
	uint8_t x[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8),
			(uint8_t)v};
	put(b, x, 4);
}

/* A record starts: its header, the length patched by rec_end(). */
static size_t rec_begin(struct sbuf *b, uint32_t type)
{
	size_t at = b->len;

	put_u32(b, type);
	put_u32(b, 0);
	return at;
}

static void rec_end(struct sbuf *b, size_t at)
{
	static const char zeros[STREAM_ALIGN];

	if (b->err)
		return;
	size_t body = b->len - at - 8;
	if (body > UINT32_MAX) {
		b->err = -E2BIG;
		return;
	}
	uint32_t len = (uint32_t)body;
	memcpy(b->p + at + 4, &len, 4);
	put(b, zeros, (STREAM_ALIGN - body % STREAM_ALIGN) % STREAM_ALIGN);
}

/* A permission specifier: letter, flags (our "ignored" bit), domid. */
static void put_perms(struct sbuf *b, const struct xs_perm *p, uint32_t n)
{
	static const char letter[4] = {'n', 'r', 'w', 'b'};

	for (uint32_t i = 0; i < n; i++) {
		put_u8(b, (uint8_t)letter[p[i].access & PERM_BOTH]);
		put_u8(b, (uint8_t)(p[i].access & PERM_IGNORE));
		put_u16(b, (uint16_t)p[i].domid);
	}
}

/* NODE_DATA: conn_id 0 for the committed tree. */
static void put_node(struct sbuf *b, uint32_t conn_id, uint32_t tx_id,
		     const char *path, const char *value, uint32_t vlen,
		     uint16_t access, const struct xs_perm *perms,
		     uint32_t nperms)
{
	size_t at = rec_begin(b, REC_NODE_DATA);
	size_t plen = strlen(path) + 1;

	put_u32(b, conn_id);
	put_u32(b, tx_id);
	put_u16(b, (uint16_t)plen);
	put_u16(b, (uint16_t)vlen);
	put_u16(b, access);
	put_u16(b, (uint16_t)nperms);
	put_perms(b, perms, nperms);
	put(b, path, plen);
	put(b, value, vlen);
	rec_end(b, at);
}

static void put_global(struct sbuf *b, struct daemon *d,
		       const struct stream_save_opts *o)
{
	size_t at = rec_begin(b, REC_GLOBAL_DATA);

	put_u32(b, (uint32_t)o->listen_fd);
	put_u32(b, UINT32_MAX); /* evtchn-fd: the backend is opened anew */
	rec_end(b, at);

	at = rec_begin(b, REC_XS_DAEMON);
	put_u64(b, d->store.gen);
	put_u64(b, d->store.hist.lost_gen);
	put_u32(b, d->next_conn_id);
	put_u32(b, 0);
	rec_end(b, at);
}

/* Quota values and names: hard ones as "name", soft as "soft-name". */
static void put_quota_list(struct sbuf *b, const struct quotas *q,
			   uint32_t hard_mask, uint32_t soft_mask)
{
	for (int i = 0; i < Q_COUNT; i++)
		if (hard_mask & (1u << i))
			put_u32(b, q->hard[i]);
	for (int i = 0; i < Q_COUNT; i++)
		if (soft_mask & (1u << i))
			put_u32(b, q->soft[i]);
	for (int i = 0; i < Q_COUNT; i++)
		if (hard_mask & (1u << i))
			put(b, quota_name((enum quota_item)i),
			    strlen(quota_name((enum quota_item)i)) + 1);
	for (int i = 0; i < Q_COUNT; i++) {
		if (!(soft_mask & (1u << i)))
			continue;
		put(b, "soft-", 5);
		put(b, quota_name((enum quota_item)i),
		    strlen(quota_name((enum quota_item)i)) + 1);
	}
}

static unsigned int popcount(uint32_t v)
{
	return (unsigned int)__builtin_popcount(v);
}

static void put_quotas(struct sbuf *b, struct daemon *d)
{
	uint32_t hard = (1u << Q_COUNT) - 1, soft = 0;

	for (int i = 0; i < Q_COUNT; i++)
		if (d->quotas.soft[i] != QUOTA_DISABLED)
			soft |= 1u << i;
	size_t at = rec_begin(b, REC_GLOBAL_QUOTA_DATA);
	put_u16(b, (uint16_t)(popcount(hard) + popcount(soft)));
	put_u16(b, 0);
	put_quota_list(b, &d->quotas, hard, soft);
	rec_end(b, at);
}

static void put_domain(struct sbuf *b, const struct domain *dom)
{
	size_t at = rec_begin(b, REC_DOMAIN_DATA);

	put_u16(b, (uint16_t)dom->domid);
	put_u16(b, (uint16_t)(popcount(dom->quota_set_hard) +
			      popcount(dom->quota_set_soft)));
	put_u32(b, dom->features);
	put_quota_list(b, &dom->quota_override, dom->quota_set_hard,
		       dom->quota_set_soft);
	rec_end(b, at);

	at = rec_begin(b, REC_XS_DOMAIN);
	put_u32(b, dom->domid);
	put_u32(b, dom->target);
	put_u64(b, dom->known_gen);
	put_u64(b, dom->gfn);
	put_u32(b, dom->remote_port);
	put_u8(b, dom->introduced);
	put_u8(b, dom->shutdown_reported);
	put_u16(b, 0);
	rec_end(b, at);
}

static void put_domains(struct sbuf *b, struct daemon *d)
{
	const struct domain *last = d->domains.list;

	/* Oldest first: the reader adds each at the head of its list. */
	while (last && last->next)
		last = last->next;
	for (const struct domain *dom = last; dom; dom = dom->prev)
		put_domain(b, dom);
}

static void put_node_gens(struct sbuf *b, const struct node *n)
{
	size_t at = rec_begin(b, REC_XS_NODE_GENS);

	put_u64(b, n->gen);
	put_u64(b, n->cgen);
	put_u64(b, n->cre_gen);
	put_u64(b, n->pgen);
	rec_end(b, at);
}

/* Every node, parents before children, children in creation order. */
static void put_tree(struct sbuf *b, struct daemon *d)
{
	char path[PATH_BUF_SIZE];
	size_t blen = 1;
	const struct node *n = d->store.root;

	path[0] = '/';
	path[1] = '\0';
	while (n && !b->err) {
		put_node(b, 0, 0, path, n->value, n->vlen, 0, n->perms, n->nperms);
		put_node_gens(b, n);
		if (n->first_child) {
			n = n->first_child;
		} else {
			/* Up until a node with a next sibling. */
			while (n->parent && !n->next_sib) {
				blen = n->parent->parent ? blen - n->namelen - 1 : 1;
				n = n->parent;
			}
			if (!n->parent)
				break;
			blen = n->parent->parent ? blen - n->namelen - 1 : 1;
			n = n->next_sib;
		}
		/* n is new: its path is its parent's (path[0..blen)) + name. */
		if (blen > 1)
			path[blen++] = '/';
		if (blen + n->namelen >= sizeof(path)) {
			b->err = -ENAMETOOLONG;
			return;
		}
		memcpy(path + blen, n->name, n->namelen + 1);
		blen += n->namelen;
	}
	for (int i = 0; i < SPECIAL_COUNT; i++)
		put_node(b, 0, 0, d->special[i].path, NULL, 0, 0,
			 d->special[i].perms, d->special[i].nperms);
}

/* The domain whose ring connection c is, or NULL. */
static const struct domain *ring_domain(struct daemon *d, const struct conn *c)
{
	for (const struct domain *dom = d->domains.list; dom; dom = dom->next)
		if (dom->conn == c)
			return dom;
	return NULL;
}

static void put_watches(struct sbuf *b, const struct conn *c)
{
	const struct watch **ws = NULL;
	size_t n = 0;

	if (c->nwatches) {
		ws = calloc(c->nwatches, sizeof(*ws));
		if (!ws) {
			b->err = -ENOMEM;
			return;
		}
	}
	for (const struct watch *w = c->watches; w && n < c->nwatches; w = w->onext)
		ws[n++] = w;
	/* Oldest first: the reader adds each at the head of the list. */
	while (n-- > 0) {
		const struct watch *w = ws[n];
		const char *wpath = w->path + w->rel_len;
		size_t at = rec_begin(b, REC_WATCH_DATA_EXTENDED);
		put_u32(b, c->id);
		put_u16(b, (uint16_t)(strlen(wpath) + 1));
		put_u16(b, (uint16_t)(strlen(w->token) + 1));
		put_u16(b, w->depth < 0 ? STREAM_DEPTH_ALL : (uint16_t)w->depth);
		put_u16(b, 0);
		put(b, wpath, strlen(wpath) + 1);
		put(b, w->token, strlen(w->token) + 1);
		rec_end(b, at);
	}
	free(ws);
}

static void put_conn(struct sbuf *b, struct daemon *d, const struct conn *c)
{
	const struct domain *dom = ring_domain(d, c);
	int fd = sock_conn_fd(c);
	uint32_t out_len = 0, resp_len = 0;

	if (!dom && fd < 0)
		return; /* a transport that cannot be handed over */
	for (const struct outbuf *o = c->out_head; o; o = o->next)
		out_len += o->len - o->off;
	if (c->out_head && c->out_head->off)
		resp_len = c->out_head->len - c->out_head->off;

	size_t at = rec_begin(b, REC_CONNECTION_DATA);
	put_u32(b, c->id);
	put_u16(b, dom ? STREAM_CONN_RING : STREAM_CONN_SOCKET);
	put_u16(b, 0);
	if (dom) {
		put_u16(b, (uint16_t)dom->domid);
		put_u16(b, (uint16_t)(c->caller.target == ACL_NO_TARGET
					      ? 0x7ff4u /* DOMID_INVALID */
					      : c->caller.target));
		put_u32(b, dom->remote_port);
	} else {
		put_u32(b, (uint32_t)fd);
		put_u32(b, 0);
	}
	put_u16(b, (uint16_t)c->rlen);
	put_u16(b, (uint16_t)resp_len);
	put_u32(b, out_len);
	put(b, c->rbuf, c->rlen);
	for (const struct outbuf *o = c->out_head; o; o = o->next)
		put(b, o->data + o->off, o->len - o->off);
	rec_end(b, at);

	at = rec_begin(b, REC_XS_CONN);
	put_u32(b, c->id);
	put_u32(b, c->caller.domid);
	put_u32(b, c->caller.target);
	put_u32(b, c->caller.features);
	put_u32(b, c->next_tx_id);
	put_u8(b, c->caller.privileged);
	put_u8(b, c->out_head && c->out_head->off && c->out_head->is_event);
	put_u16(b, 0);
	rec_end(b, at);
	put_watches(b, c);
}

static void put_conns(struct sbuf *b, struct daemon *d)
{
	const struct conn *last = d->conns;

	while (last && last->next)
		last = last->next;
	for (const struct conn *c = last; c && !b->err; c = c->prev)
		put_conn(b, d, c);
}

struct tx_ctx {
	struct sbuf *b;
	uint32_t conn_id, tx_id;
};

static int put_txn_node(void *arg, const struct txn_node_image *img)
{
	struct tx_ctx *x = arg;
	bool has = img->modified && img->exists;
	uint16_t access = (uint16_t)((img->observed || img->listed ? STREAM_ACCESS_READ : 0) |
				     (img->modified ? STREAM_ACCESS_WRITTEN : 0));

	put_node(x->b, x->conn_id, x->tx_id, img->path, has ? img->value : NULL,
		 has ? img->vlen : 0, access, img->perms, has ? img->nperms : 0);
	size_t at = rec_begin(x->b, REC_XS_TXN_NODE);
	put_u8(x->b, (uint8_t)(img->observed | img->seen_exists << 1 |
			       img->listed << 2 | img->modified << 3 |
			       img->exists << 4 | img->shadow << 5));
	put_u8(x->b, 0);
	put_u16(x->b, 0);
	put_u32(x->b, 0);
	put_u64(x->b, img->seen_gen);
	put_u64(x->b, img->seen_cgen);
	put_u64(x->b, img->made_seq);
	rec_end(x->b, at);
	return x->b->err;
}

static int put_txn_op(void *arg, const struct txn_op_image *img)
{
	struct tx_ctx *x = arg;
	size_t at = rec_begin(x->b, REC_XS_TXN_OP);
	size_t plen = strlen(img->path) + 1;

	put_u32(x->b, x->conn_id);
	put_u32(x->b, x->tx_id);
	put_u8(x->b, (uint8_t)img->kind);
	put_u8(x->b, 0);
	put_u16(x->b, (uint16_t)plen);
	put_u16(x->b, (uint16_t)img->vlen);
	put_u16(x->b, (uint16_t)img->nperms);
	put_perms(x->b, img->perms, img->nperms);
	put(x->b, img->path, plen);
	put(x->b, img->value, img->vlen);
	rec_end(x->b, at);
	return x->b->err;
}

static void put_txn(struct sbuf *b, const struct conn *c, const struct txn *t)
{
	size_t at = rec_begin(b, REC_TRANSACTION_DATA);

	put_u32(b, c->id);
	put_u32(b, t->id);
	rec_end(b, at);
	at = rec_begin(b, REC_XS_TXN);
	put_u32(b, c->id);
	put_u32(b, t->id);
	put_u64(b, t->snap.gen);
	put_u64(b, t->nmods);
	put_u64(b, t->made_count);
	put_u32(b, t->max_nodes);
	put_u32(b, 0);
	rec_end(b, at);

	struct tx_ctx x = {.b = b, .conn_id = c->id, .tx_id = t->id};
	txn_each_node(t, put_txn_node, &x);
	txn_each_op(t, put_txn_op, &x);
}

/* Transactions in the order their snapshots were opened (oldest first). */
static void put_txns(struct sbuf *b, struct daemon *d)
{
	for (const struct snap *sn = d->store.hist.snaps_head; sn && !b->err;
	     sn = sn->next) {
		for (const struct conn *c = d->conns; c; c = c->next) {
			if (!ring_domain(d, c) && sock_conn_fd(c) < 0)
				continue;
			for (const struct txn *t = c->txns; t; t = t->next)
				if (&t->snap == sn)
					put_txn(b, c, t);
		}
	}
}

static int put_hist(void *arg, const char *path, uint64_t gen,
		    const struct node_state *st)
{
	struct sbuf *b = arg;
	size_t at = rec_begin(b, REC_XS_HISTORY);
	size_t plen = strlen(path) + 1;
	uint32_t vlen = st->exists ? st->vlen : 0;
	uint32_t nperms = st->exists ? st->nperms : 0;

	put_u64(b, gen);
	put_u64(b, st->gen);
	put_u64(b, st->cgen);
	put_u64(b, st->cre_gen);
	put_u64(b, st->pgen);
	put_u32(b, st->nchildren);
	put_u8(b, st->exists);
	put_u8(b, 0);
	put_u16(b, (uint16_t)plen);
	put_u16(b, (uint16_t)vlen);
	put_u16(b, (uint16_t)nperms);
	put_u32(b, 0);
	put_perms(b, st->perms, nperms);
	put(b, path, plen);
	put(b, st->value, vlen);
	rec_end(b, at);
	return b->err;
}

int stream_save_buf(struct daemon *d, const struct stream_save_opts *o,
		    char **out, size_t *len)
{
	struct sbuf b = {0};
	const uint16_t one = 1;
	bool big = *(const uint8_t *)&one == 0;

	put_be32(&b, (uint32_t)(STREAM_IDENT >> 32));
	put_be32(&b, (uint32_t)STREAM_IDENT);
	put_be32(&b, STREAM_VERSION);
	put_be32(&b, big ? STREAM_FLAG_BIG_ENDIAN : 0);
	put_global(&b, d, o);
	put_quotas(&b, d);
	put_domains(&b, d);
	put_tree(&b, d);
	put_conns(&b, d);
	put_txns(&b, d);
	history_each(&d->store.hist, put_hist, &b);
	if (o->reply) {
		size_t at = rec_begin(&b, REC_XS_LU_REPLY);
		put_u32(&b, o->reply_conn);
		put_u32(&b, o->reply_req);
		put_u32(&b, o->reply_tx);
		put_u32(&b, 0);
		rec_end(&b, at);
	}
	rec_end(&b, rec_begin(&b, REC_END));
	if (b.err) {
		free(b.p);
		return b.err;
	}
	*out = b.p;
	*len = b.len;
	return 0;
}

int stream_save(struct daemon *d, const struct stream_save_opts *o, int fd)
{
	char *buf;
	size_t len, off = 0;
	int ret = stream_save_buf(d, o, &buf, &len);

	if (ret)
		return ret;
	while (off < len) {
		ssize_t n = write(fd, buf + off, len - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		off += (size_t)n;
	}
	free(buf);
	return ret;
}
