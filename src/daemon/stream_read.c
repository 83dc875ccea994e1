/* SPDX-License-Identifier: MIT */
/*
 * Reading the state stream back into a daemon; see stream.h and
 * docs/live-update.md.
 *
 * The stream comes from a file an operator may have edited, so nothing in
 * it is trusted: every length is checked against what is left of its
 * record before it is used, strings must be NUL-terminated where the
 * format says, paths must be valid, and counts are bounded by the bytes
 * that hold them.  A malformed stream stops the load with a reason.
 *
 * A project record that completes a Xen one (REC_XS_NODE_GENS after
 * NODE_DATA, ...) immediately follows it; the reader looks one record
 * ahead for it, so a stream written by another implementation (without
 * them) still loads, with fresh generations.
 */
#include "stream.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/path.h"
#include "conn.h"
#include "daemon.h"
#include "domain.h"
#include "log.h"
#include "store.h"
#include "transport_ring.h"
#include "transport_sock.h"
#include "txn.h"
#include "watch.h"

/* A cursor over one record's body. */
struct cur {
	const uint8_t *p;
	size_t len, off;
	bool bad;
};

static const void *get(struct cur *c, size_t n)
{
	if (c->bad || c->len - c->off < n) {
		c->bad = true;
		return NULL;
	}
	const void *at = c->p + c->off;
	c->off += n;
	return at;
}

static uint8_t get_u8(struct cur *c)
{
	const uint8_t *p = get(c, 1);
	return p ? *p : 0;
}

static uint16_t get_u16(struct cur *c)
{
	uint16_t v = 0;
	const void *p = get(c, 2);
	if (p)
		memcpy(&v, p, 2);
	return v;
}

static uint32_t get_u32(struct cur *c)
{
	uint32_t v = 0;
	const void *p = get(c, 4);
	if (p)
		memcpy(&v, p, 4);
	return v;
}

static uint64_t get_u64(struct cur *c)
{
	uint64_t v = 0;
	const void *p = get(c, 8);
	if (p)
		memcpy(&v, p, 8);
	return v;
}

/* A string of len bytes including its NUL, with no NUL before the end. */
static const char *get_str(struct cur *c, size_t len)
{
	const char *s = get(c, len);

	if (!s || len == 0 || s[len - 1] != '\0' || strlen(s) != len - 1) {
		c->bad = true;
		return NULL;
	}
	return s;
}

struct rec {
	uint32_t type;
	struct cur body;
};

struct conn_slot {
	uint32_t id;
	struct conn *conn;
};

/* A node's saved generations, applied once the whole tree stands (adding
 * a child stamps its parent's cgen). */
struct node_gens {
	struct node *n;
	uint64_t gen, cgen, cre_gen, pgen;
};

struct loader {
	struct daemon *d;
	enum stream_load_mode mode;
	const uint8_t *buf;
	size_t len, pos;
	char *err;
	size_t errsize;
	struct stream_loaded *out;
	struct conn_slot *conns;
	size_t nconns, conns_cap;
	struct node_gens *gens;
	size_t ngens, gens_cap;
	bool tree_cleared;
	bool have_gens;		/* REC_XS_DAEMON seen */
	uint64_t store_gen, lost_gen;
	uint32_t next_conn_id;
};

static int fail(struct loader *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int fail(struct loader *l, const char *fmt, ...)
{
	va_list ap;

	if (l->errsize) {
		va_start(ap, fmt);
		vsnprintf(l->err, l->errsize, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* Read the record at pos into r (advance when consume). 0, 1 at the end of
 * the buffer, or -EINVAL. */
static int rec_at(struct loader *l, struct rec *r, bool consume)
{
	if (l->pos == l->len)
		return 1;
	if (l->len - l->pos < 8)
		return fail(l, "truncated record header at offset %zu", l->pos);
	uint32_t type, len;
	memcpy(&type, l->buf + l->pos, 4);
	memcpy(&len, l->buf + l->pos + 4, 4);
	size_t padded = ((size_t)len + STREAM_ALIGN - 1) / STREAM_ALIGN * STREAM_ALIGN;
	if (l->len - l->pos - 8 < padded)
		return fail(l, "record of type %#x at offset %zu runs past the end",
			    type, l->pos);
	r->type = type;
	r->body = (struct cur){.p = l->buf + l->pos + 8, .len = len};
	if (consume)
		l->pos += 8 + padded;
	return 0;
}

/* The next record if it has type `type`: consumed into r, true. */
static bool take_next(struct loader *l, uint32_t type, struct rec *r)
{
	if (rec_at(l, r, false) != 0 || r->type != type)
		return false;
	rec_at(l, r, true);
	return true;
}

static struct conn *conn_by_id(const struct loader *l, uint32_t id)
{
	for (size_t i = 0; i < l->nconns; i++)
		if (l->conns[i].id == id)
			return l->conns[i].conn;
	return NULL;
}

static int conn_remember(struct loader *l, uint32_t id, struct conn *c)
{
	if (l->nconns == l->conns_cap) {
		size_t cap = l->conns_cap ? l->conns_cap * 2 : 64;
		struct conn_slot *n = realloc(l->conns, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		l->conns = n;
		l->conns_cap = cap;
	}
	l->conns[l->nconns++] = (struct conn_slot){id, c};
	return 0;
}

/* n permission specifiers into a new array (*out, owned by the caller). */
static int get_perms(struct loader *l, struct cur *c, uint32_t n,
		     struct xs_perm **out)
{
	*out = NULL;
	if (n == 0)
		return 0;
	if (n > (c->len - c->off) / 4)
		return fail(l, "permission count %u past its record", n);
	struct xs_perm *p = calloc(n, sizeof(*p));
	if (!p)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		uint8_t letter = get_u8(c), flags = get_u8(c);
		uint16_t domid = get_u16(c);
		switch (letter) {
		case 'n': p[i].access = PERM_NONE; break;
		case 'r': p[i].access = PERM_READ; break;
		case 'w': p[i].access = PERM_WRITE; break;
		case 'b': p[i].access = PERM_BOTH; break;
		default:
			free(p);
			return fail(l, "bad permission letter %#x", letter);
		}
		p[i].access |= flags & PERM_IGNORE;
		p[i].domid = domid;
	}
	*out = p;
	return 0;
}

static int quota_entries(struct loader *l, struct cur *c, unsigned int n,
			 uint32_t domid, bool per_domain)
{
	const uint8_t *vals = get(c, (size_t)n * 4);

	if (!vals)
		return fail(l, "quota values past their record");
	for (unsigned int i = 0; i < n; i++) {
		size_t left = c->len - c->off;
		const char *name = (const char *)c->p + c->off;
		size_t nlen = strnlen(name, left);
		if (nlen == left)
			return fail(l, "quota name not terminated");
		c->off += nlen + 1;
		uint32_t v;
		memcpy(&v, vals + (size_t)i * 4, 4);
		enum quota_item item;
		bool soft;
		if (quota_parse_name(&l->d->quotas, name, &item, &soft) != 0)
			continue; /* names we do not know are ignored */
		if (per_domain) {
			quota_domain_set(l->d, domid, item, soft, v);
		} else if (soft) {
			if (l->d->quotas.soft[item] != QUOTA_DISABLED)
				l->d->quotas.soft[item] = v;
		} else {
			l->d->quotas.hard[item] = v;
		}
	}
	return 0;
}

static int load_global_quota(struct loader *l, struct rec *r)
{
	unsigned int ndom = get_u16(&r->body), nglob = get_u16(&r->body);

	return quota_entries(l, &r->body, ndom + nglob, 0, false);
}

static int load_domain(struct loader *l, struct rec *r)
{
	struct cur *c = &r->body;
	uint32_t domid = get_u16(c);
	unsigned int nq = get_u16(c);
	struct domain_image img = {.domid = domid, .target = ACL_NO_TARGET,
				   .features = get_u32(c),
				   .known_gen = l->d->store.gen};
	struct rec ext;
	struct domain *dom;

	if (c->bad)
		return fail(l, "short DOMAIN_DATA");
	if (take_next(l, REC_XS_DOMAIN, &ext)) {
		struct cur *e = &ext.body;
		if (get_u32(e) != domid)
			return fail(l, "domain record for another domain");
		img.target = get_u32(e);
		img.known_gen = get_u64(e);
		img.gfn = get_u64(e);
		img.remote_port = get_u32(e);
		img.introduced = get_u8(e) != 0;
		img.shutdown_reported = get_u8(e) != 0;
		if (e->bad)
			return fail(l, "short domain record");
	}
	if (l->mode != STREAM_LOAD_LIVE)
		img.introduced = false;
	int ret = domain_restore(l->d, &img, l->mode == STREAM_LOAD_LIVE, &dom);
	if (ret) {
		log_msg(LOG_LVL_WARN, "state: domain %u not restored: %s", domid,
			strerror(-ret));
		l->out->skipped++;
		return 0;
	}
	l->out->domains++;
	return quota_entries(l, c, nq, domid, true);
}

/* The committed tree is replaced, not merged: start from the root alone. */
static void clear_tree(struct loader *l)
{
	struct store *s = &l->d->store;

	while (s->root->first_child)
		store_remove(s, s->root->first_child, NULL, NULL, NULL);
	l->tree_cleared = true;
}

static int load_committed_node(struct loader *l, const char *path,
			       const char *value, uint32_t vlen,
			       struct xs_perm *perms, uint32_t nperms)
{
	struct store *s = &l->d->store;
	struct node *n;
	struct rec gens;
	int ret;

	if (nperms == 0)
		return fail(l, "node %s without permissions", path);
	if (path_is_special(path)) {
		struct special_perms *sp = daemon_special(l->d, path);
		if (!sp)
			return 0; /* a special node we do not have */
		free(sp->perms);
		sp->perms = perms;
		sp->nperms = nperms;
		return 1; /* perms taken */
	}
	if (path_check_abs(path) != 0)
		return fail(l, "bad node path %s", path);
	if (!l->tree_cleared)
		clear_tree(l);
	if (strcmp(path, "/") == 0) {
		n = s->root;
	} else {
		size_t len;
		store_nearest(s, path, &len);
		/* Parents come first: exactly the last component is new. */
		if (path[len] == '\0' || strchr(path + len + 1, '/'))
			return fail(l, "node %s out of order", path);
		ret = store_create(s, path, perms, nperms, &n);
		if (ret)
			return ret;
	}
	if ((ret = store_set_perms(s, n, perms, nperms)) != 0 ||
	    (ret = store_set_value(s, n, value, vlen)) != 0)
		return ret;
	if (take_next(l, REC_XS_NODE_GENS, &gens)) {
		if (l->ngens == l->gens_cap) {
			size_t cap = l->gens_cap ? l->gens_cap * 2 : 1024;
			struct node_gens *ng = realloc(l->gens, cap * sizeof(*ng));
			if (!ng)
				return -ENOMEM;
			l->gens = ng;
			l->gens_cap = cap;
		}
		struct node_gens *g = &l->gens[l->ngens++];
		g->n = n;
		g->gen = get_u64(&gens.body);
		g->cgen = get_u64(&gens.body);
		g->cre_gen = get_u64(&gens.body);
		g->pgen = get_u64(&gens.body);
		if (gens.body.bad)
			return fail(l, "short node generations of %s", path);
	}
	l->out->nodes++;
	return 0;
}

static struct txn *find_txn(struct loader *l, uint32_t conn_id, uint32_t tx_id,
			    struct conn **cp)
{
	struct conn *c = conn_by_id(l, conn_id);

	if (cp)
		*cp = c;
	return c ? conn_find_txn(c, tx_id) : NULL;
}

static int load_txn_node(struct loader *l, uint32_t conn_id, uint32_t tx_id,
			 uint16_t access, const char *path, const char *value,
			 uint32_t vlen, const struct xs_perm *perms,
			 uint32_t nperms)
{
	struct txn *t = find_txn(l, conn_id, tx_id, NULL);
	struct txn_node_image img = {
		.path = path, .value = value, .vlen = vlen, .perms = perms,
		.nperms = nperms,
		.observed = access & STREAM_ACCESS_READ,
		.seen_exists = access & STREAM_ACCESS_READ,
		.modified = access & STREAM_ACCESS_WRITTEN,
		.exists = nperms > 0,
	};
	struct rec ext;

	if (take_next(l, REC_XS_TXN_NODE, &ext)) {
		uint8_t f = get_u8(&ext.body);
		get(&ext.body, 7);
		img.observed = f & 1;
		img.seen_exists = f & 2;
		img.listed = f & 4;
		img.modified = f & 8;
		img.exists = f & 16;
		img.shadow = f & 32;
		img.seen_gen = get_u64(&ext.body);
		img.seen_cgen = get_u64(&ext.body);
		img.made_seq = get_u64(&ext.body);
		if (ext.body.bad)
			return fail(l, "short transaction node record");
	}
	if (!t) {
		l->out->skipped++;
		return 0;
	}
	if (path_check_abs(path) != 0)
		return fail(l, "bad transaction node path %s", path);
	if (img.modified && img.exists && nperms == 0)
		return fail(l, "transaction node %s without permissions", path);
	int ret = txn_restore_node(t, &img);
	return ret == -EEXIST ? fail(l, "transaction node %s twice", path) : ret;
}

static int load_node(struct loader *l, struct rec *r)
{
	struct cur *c = &r->body;
	uint32_t conn_id = get_u32(c), tx_id = get_u32(c);
	uint16_t plen = get_u16(c), vlen = get_u16(c);
	uint16_t access = get_u16(c), nperms = get_u16(c);
	struct xs_perm *perms;
	int ret;

	if (c->bad)
		return fail(l, "short NODE_DATA");
	ret = get_perms(l, c, nperms, &perms);
	if (ret)
		return ret;
	const char *path = get_str(c, plen);
	const char *value = get(c, vlen);
	if (c->bad) {
		free(perms);
		return fail(l, "NODE_DATA fields past their record");
	}
	if (conn_id == 0) {
		ret = load_committed_node(l, path, value, vlen, perms, nperms);
		if (ret == 1)
			return 0; /* perms now owned by the special node */
	} else if (l->mode == STREAM_LOAD_LIVE) {
		ret = load_txn_node(l, conn_id, tx_id, access, path, value, vlen,
				    perms, nperms);
	} else {
		struct rec ext;
		take_next(l, REC_XS_TXN_NODE, &ext);
		ret = 0;
	}
	free(perms);
	return ret;
}

/* Split saved output back into messages; the first resp_len bytes are
 * the unsent rest of one. */
static int restore_output(struct loader *l, struct conn *c, const uint8_t *p,
			  size_t len, size_t resp_len, bool partial_event)
{
	int ret;

	if (resp_len > len)
		return fail(l, "partial reply longer than the output");
	if (resp_len &&
	    (ret = conn_restore_output(c, p, resp_len, partial_event)) != 0)
		return ret;
	for (size_t off = resp_len; off < len;) {
		struct xs_msg_hdr hdr;
		if (len - off < XS_HDR_SIZE)
			return fail(l, "truncated queued message");
		memcpy(&hdr, p + off, sizeof(hdr));
		if (hdr.len > XS_PAYLOAD_MAX || len - off - XS_HDR_SIZE < hdr.len)
			return fail(l, "bad queued message");
		size_t mlen = XS_HDR_SIZE + hdr.len;
		ret = conn_restore_output(c, p + off, mlen,
					  hdr.type == XS_WATCH_EVENT);
		if (ret)
			return ret;
		off += mlen;
	}
	return 0;
}

static int load_conn(struct loader *l, struct rec *r)
{
	struct cur *c = &r->body;
	uint32_t id = get_u32(c);
	uint16_t type = get_u16(c);
	get_u16(c); /* flags */
	uint32_t spec1 = get_u32(c);
	get_u32(c); /* spec2: evtchn or pad */
	uint16_t in_len = get_u16(c), resp_len = get_u16(c);
	uint32_t out_len = get_u32(c);
	const uint8_t *in = get(c, in_len), *outp = get(c, out_len);
	struct rec ext;
	struct caller who = {.domid = 0, .target = ACL_NO_TARGET,
			     .privileged = true, .features = DOMAIN_FEATURES_ALL};
	uint32_t next_tx = 1;
	bool partial_event = false;
	struct conn *conn = NULL;

	if (c->bad)
		return fail(l, "short CONNECTION_DATA");
	if (id == 0)
		return fail(l, "connection id 0");
	if (in_len > CONN_RBUF_SIZE)
		return fail(l, "partial input of %u bytes", in_len);
	if (type == STREAM_CONN_RING)
		who = domain_caller(&l->d->domains, spec1 & 0xffff);
	if (take_next(l, REC_XS_CONN, &ext)) {
		struct cur *e = &ext.body;
		if (get_u32(e) != id)
			return fail(l, "connection record for another connection");
		who.domid = get_u32(e);
		who.target = get_u32(e);
		who.features = get_u32(e);
		next_tx = get_u32(e);
		who.privileged = get_u8(e) != 0;
		partial_event = get_u8(e) != 0;
		if (e->bad || who.domid > PERM_DOMID_MAX)
			return fail(l, "bad connection record");
	}
	if (l->mode != STREAM_LOAD_LIVE)
		return 0;
	if (conn_by_id(l, id))
		return fail(l, "connection %u twice", id);
	if (type == STREAM_CONN_SOCKET) {
		conn = sock_conn_adopt(l->d, (int)spec1, &who);
	} else if (type == STREAM_CONN_RING) {
		struct domain *dom = domain_get(&l->d->domains, spec1 & 0xffff);
		if (dom && dom->introduced && dom->ring && !dom->conn) {
			conn = ring_conn_new(l->d, dom);
			if (conn)
				conn->caller = who;
		}
	}
	if (!conn) {
		log_msg(LOG_LVL_WARN, "state: connection %u (%s) not restored", id,
			type == STREAM_CONN_RING ? "ring" : "socket");
		l->out->skipped++;
		return 0;
	}
	conn->id = id;
	conn->next_tx_id = next_tx;
	memcpy(conn->rbuf, in, in_len);
	conn->rlen = in_len;
	int ret = conn_remember(l, id, conn);
	if (ret == 0)
		ret = restore_output(l, conn, outp, out_len, resp_len, partial_event);
	if (ret == 0)
		l->out->conns++;
	return ret;
}

static int load_watch(struct loader *l, struct rec *r, bool extended)
{
	struct cur *c = &r->body;
	uint32_t id = get_u32(c);
	uint16_t plen = get_u16(c), tlen = get_u16(c);
	int depth = -1;

	if (extended) {
		uint16_t v = get_u16(c);
		get_u16(c);
		depth = v == STREAM_DEPTH_ALL ? -1 : v;
	}
	const char *wpath = get_str(c, plen), *token = get_str(c, tlen);
	if (c->bad)
		return fail(l, "bad watch record");
	struct conn *conn = conn_by_id(l, id);
	if (!conn) {
		l->out->skipped++;
		return 0;
	}
	char path[PATH_BUF_SIZE];
	size_t rel;
	if (path_canonical(wpath, conn->caller.domid, true, path, &rel) != 0)
		return fail(l, "bad watch path %s", wpath);
	struct watch *w;
	int ret = watch_add(&l->d->watches, conn, &conn->watches, path, token,
			    (uint32_t)rel, depth, &w);
	if (ret == -EEXIST)
		return fail(l, "watch %s %s twice", wpath, token);
	if (ret)
		return ret;
	conn->nwatches++;
	struct usage u = {.watches = 1,
			  .bytes = (int64_t)watch_charge_of(path, token)};
	acct_add(conn, &u);
	l->out->watches++;
	return 0;
}

static int load_txn(struct loader *l, struct rec *r)
{
	uint32_t id = get_u32(&r->body), tx_id = get_u32(&r->body);
	struct rec ext;
	struct conn *c;
	struct txn *t = NULL;

	if (r->body.bad || tx_id == 0)
		return fail(l, "bad TRANSACTION_DATA");
	bool have_ext = take_next(l, REC_XS_TXN, &ext);
	if (l->mode != STREAM_LOAD_LIVE)
		return 0;
	if (find_txn(l, id, tx_id, &c))
		return fail(l, "transaction %u of connection %u twice", tx_id, id);
	if (!c) {
		l->out->skipped++;
		return 0;
	}
	if (have_ext) {
		struct cur *e = &ext.body;
		if (get_u32(e) != id || get_u32(e) != tx_id)
			return fail(l, "transaction record for another transaction");
		uint64_t snap = get_u64(e), nmods = get_u64(e), made = get_u64(e);
		uint32_t max_nodes = get_u32(e);
		if (e->bad)
			return fail(l, "short transaction record");
		const struct snap *last = l->d->store.hist.snaps_tail;
		if ((l->have_gens && snap > l->store_gen) || (last && last->gen > snap))
			return fail(l, "transaction snapshots out of order");
		t = txn_restore_new(&l->d->store, tx_id, max_nodes, snap, nmods, made);
	} else {
		uint32_t max = c->caller.privileged
				       ? 0
				       : quota_for(l->d, c->caller.domid, Q_TXNODES);
		t = txn_new(&l->d->store, tx_id, max);
	}
	if (!t)
		return -ENOMEM;
	t->next = c->txns;
	c->txns = t;
	c->ntxns++;
	struct usage u = {.txns = 1};
	acct_add(c, &u);
	l->out->txns++;
	return 0;
}

static int load_txn_op(struct loader *l, struct rec *r)
{
	struct cur *c = &r->body;
	uint32_t id = get_u32(c), tx_id = get_u32(c);
	uint8_t kind = get_u8(c);
	get_u8(c);
	uint16_t plen = get_u16(c), vlen = get_u16(c), nperms = get_u16(c);
	struct xs_perm *perms;

	if (c->bad)
		return fail(l, "short transaction operation");
	int ret = get_perms(l, c, nperms, &perms);
	if (ret)
		return ret;
	const char *path = get_str(c, plen);
	const char *value = get(c, vlen);
	struct txn *t = find_txn(l, id, tx_id, NULL);
	if (c->bad || kind > TXN_IMG_SETPERMS)
		ret = fail(l, "bad transaction operation");
	else if (path_check_abs(path) != 0)
		ret = fail(l, "bad transaction operation path %s", path);
	else if (t && l->mode == STREAM_LOAD_LIVE) {
		struct txn_op_image img = {.kind = (enum txn_op_image_kind)kind,
					   .path = path, .value = value,
					   .vlen = vlen, .perms = perms,
					   .nperms = nperms};
		if ((kind == TXN_IMG_SETPERMS) && nperms == 0)
			ret = fail(l, "SET_PERMS without permissions");
		else
			ret = txn_restore_op(t, &img);
	}
	free(perms);
	return ret;
}

static int load_history(struct loader *l, struct rec *r)
{
	struct cur *c = &r->body;
	struct node_state st = {0};
	uint64_t gen = get_u64(c);
	struct xs_perm *perms;

	st.gen = get_u64(c);
	st.cgen = get_u64(c);
	st.cre_gen = get_u64(c);
	st.pgen = get_u64(c);
	st.nchildren = get_u32(c);
	st.exists = get_u8(c) != 0;
	get_u8(c);
	uint16_t plen = get_u16(c), vlen = get_u16(c), nperms = get_u16(c);
	get_u32(c);
	if (c->bad)
		return fail(l, "short history record");
	int ret = get_perms(l, c, nperms, &perms);
	if (ret)
		return ret;
	const char *path = get_str(c, plen);
	st.value = get(c, vlen);
	st.vlen = vlen;
	st.perms = perms;
	st.nperms = nperms;
	if (c->bad || path_check_abs(path) != 0 || (st.exists && nperms == 0))
		ret = fail(l, "bad history record");
	else if (l->mode == STREAM_LOAD_LIVE)
		history_save(&l->d->store.hist, path, &st, gen);
	free(perms);
	return ret;
}

static int load_reply(struct loader *l, struct rec *r)
{
	uint32_t id = get_u32(&r->body);
	uint32_t req = get_u32(&r->body), tx = get_u32(&r->body);

	if (r->body.bad)
		return fail(l, "short live-update reply record");
	if (l->mode == STREAM_LOAD_LIVE) {
		l->out->reply_conn = conn_by_id(l, id);
		l->out->reply_req = req;
		l->out->reply_tx = tx;
	}
	return 0;
}

static int load_record(struct loader *l, struct rec *r)
{
	switch (r->type) {
	case REC_GLOBAL_DATA:
		l->out->listen_fd = (int)get_u32(&r->body);
		return r->body.bad ? fail(l, "short GLOBAL_DATA") : 0;
	case REC_XS_DAEMON:
		l->store_gen = get_u64(&r->body);
		l->lost_gen = get_u64(&r->body);
		l->next_conn_id = get_u32(&r->body);
		l->have_gens = true;
		return r->body.bad ? fail(l, "short daemon record") : 0;
	case REC_GLOBAL_QUOTA_DATA:
		return load_global_quota(l, r);
	case REC_DOMAIN_DATA:
		return load_domain(l, r);
	case REC_NODE_DATA:
		return load_node(l, r);
	case REC_CONNECTION_DATA:
		return load_conn(l, r);
	case REC_WATCH_DATA:
	case REC_WATCH_DATA_EXTENDED:
		return load_watch(l, r, r->type == REC_WATCH_DATA_EXTENDED);
	case REC_TRANSACTION_DATA:
		return load_txn(l, r);
	case REC_XS_TXN_OP:
		return load_txn_op(l, r);
	case REC_XS_HISTORY:
		return load_history(l, r);
	case REC_XS_LU_REPLY:
		return load_reply(l, r);
	default:
		/* Records we do not know (or a completing record whose
		 * leader was skipped) are passed over. */
		l->out->skipped++;
		return 0;
	}
}

/* After END: counters, charges and the work the restored state implies. */
static void finish(struct loader *l)
{
	struct daemon *d = l->d;

	for (size_t i = 0; i < l->ngens; i++) {
		struct node_gens *g = &l->gens[i];
		g->n->gen = g->gen;
		g->n->cgen = g->cgen;
		g->n->cre_gen = g->cre_gen;
		g->n->pgen = g->pgen;
	}
	if (l->have_gens) {
		/* Every restored generation is at most this. */
		d->store.gen = l->store_gen;
		if (l->lost_gen > d->store.hist.lost_gen)
			d->store.hist.lost_gen = l->lost_gen;
		if (l->next_conn_id > d->next_conn_id)
			d->next_conn_id = l->next_conn_id;
	}
	for (size_t i = 0; i < l->nconns; i++) {
		struct conn *c = l->conns[i].conn;
		for (struct txn *t = c->txns; t; t = t->next)
			conn_txn_recharge(c, t);
		/* Requests that were waiting, and ring input we were not
		 * told about while no process listened. */
		if (c->rlen)
			conn_mark_busy(c);
		conn_request_read(c);
	}
}

int stream_load_buf(struct daemon *d, const char *buf, size_t len,
		    enum stream_load_mode mode, struct stream_loaded *out,
		    char *err, size_t errsize)
{
	struct loader l = {.d = d, .mode = mode, .buf = (const uint8_t *)buf,
			   .len = len, .err = err, .errsize = errsize, .out = out};
	const uint16_t one = 1;
	uint32_t host_flags = *(const uint8_t *)&one == 0 ? STREAM_FLAG_BIG_ENDIAN : 0;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	out->listen_fd = -1;
	if (errsize)
		err[0] = '\0';
	if (len < 16)
		return fail(&l, "too short for a header");
	const uint8_t *h = (const uint8_t *)buf;
	uint64_t ident = 0;
	for (int i = 0; i < 8; i++)
		ident = ident << 8 | h[i];
	uint32_t version = (uint32_t)h[8] << 24 | (uint32_t)h[9] << 16 |
			   (uint32_t)h[10] << 8 | h[11];
	uint32_t flags = (uint32_t)h[12] << 24 | (uint32_t)h[13] << 16 |
			 (uint32_t)h[14] << 8 | h[15];
	if (ident != STREAM_IDENT)
		return fail(&l, "not a xenstore stream");
	if (version < 1 || version > STREAM_VERSION)
		return fail(&l, "stream version %u not supported", version);
	if (flags != host_flags)
		return fail(&l, "stream of the other byte order");
	l.pos = 16;
	for (;;) {
		struct rec r;
		int at = rec_at(&l, &r, true);
		if (at == 1) {
			ret = fail(&l, "no END record");
			break;
		}
		if (at < 0) {
			ret = at;
			break;
		}
		if (r.type == REC_END)
			break;
		ret = load_record(&l, &r);
		if (ret)
			break;
	}
	if (ret == 0)
		finish(&l);
	free(l.conns);
	free(l.gens);
	return ret;
}

int stream_load_fd(struct daemon *d, int fd, enum stream_load_mode mode,
		   struct stream_loaded *out, char *err, size_t errsize)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (st.st_size < 0 || (uint64_t)st.st_size > SIZE_MAX)
		return -EFBIG;
	size_t len = (size_t)st.st_size, off = 0;
	char *buf = malloc(len ? len : 1);
	if (!buf)
		return -ENOMEM;
	while (off < len) {
		ssize_t n = pread(fd, buf + off, len - off, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int ret = n < 0 ? -errno : -EIO;
			free(buf);
			return ret;
		}
		off += (size_t)n;
	}
	int ret = stream_load_buf(d, buf, len, mode, out, err, errsize);
	free(buf);
	return ret;
}
