/* SPDX-License-Identifier: MIT */
/*
 * Recovery; see recover.h.  File names and formats: docs/durability.md.
 *
 * Which files count: S is the newest snapshot (snapshot.S; *.tmp files are
 * unfinished compactions, deleted).  The state is snapshot S, then journals
 * S, S+1, ... in order.  Journal S may be missing only when no later one
 * exists (a crash between writing a snapshot and its journal).  Files
 * numbered below S are left-overs of a finished compaction, deleted.
 * Journal records are applied one by one after their checksum matched, so
 * a damaged record is never half applied.
 */
#include "recover.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acct.h"
#include "common/path.h"
#include "conn.h"
#include "daemon.h"
#include "domain.h"
#include "journal.h"
#include "log.h"
#include "record.h"
#include "transport_ring.h"

/* Permission entries a node can have: each takes at least 2 bytes of a
 * 4096-byte SET_PERMS payload. */
#define RECOVER_PERMS_MAX (XS_PAYLOAD_MAX / 2)

struct rwatch {
	struct rwatch *next;
	uint32_t rel_len;
	int depth;
	char *token;		/* points into path's allocation */
	char path[];
};

struct rdom {
	struct domain_image img;
	uint32_t set_hard, set_soft;
	struct quotas ov;
	struct rwatch *watches;	/* owned */
};

struct recovery {
	struct daemon *d;
	struct journal *j;
	bool partial;
	bool damaged;		/* partial recovery dropped something */
	bool new_chain;		/* continue in a new snapshot and journal */
	struct rdom **doms;	/* PERM_DOMID_MAX + 1 entries */
	struct xs_perm perms[RECOVER_PERMS_MAX];
	char path[PATH_BUF_SIZE];
	uint64_t nodes, ops;
};

struct numbers {
	uint64_t *v;
	size_t n, cap;
};

static int numbers_add(struct numbers *ns, uint64_t v)
{
	if (ns->n == ns->cap) {
		size_t ncap = ns->cap ? 2 * ns->cap : 8;
		uint64_t *nv = realloc(ns->v, ncap * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		ns->v = nv;
		ns->cap = ncap;
	}
	ns->v[ns->n++] = v;
	return 0;
}

static bool numbers_has(const struct numbers *ns, uint64_t v)
{
	for (size_t i = 0; i < ns->n; i++)
		if (ns->v[i] == v)
			return true;
	return false;
}

/* "kind.<decimal>" with nothing after: the number, else false. */
static bool parse_name(const char *name, const char *kind, const char *suffix,
		       uint64_t *n)
{
	size_t k = strlen(kind), slen = strlen(suffix);
	const char *p = name + k + 1;
	uint64_t v = 0;
	size_t digits = 0;

	if (strncmp(name, kind, k) != 0 || name[k] != '.')
		return false;
	while (*p >= '0' && *p <= '9' && digits < 19) {
		v = v * 10 + (uint64_t)(*p - '0');
		p++;
		digits++;
	}
	if (!digits || strcmp(p, suffix) != 0 || (slen == 0 && *p))
		return false;
	*n = v;
	return true;
}

/* ---- the recovered domain table ------------------------------------------ */

static void rdom_clear_watches(struct rdom *rd)
{
	while (rd->watches) {
		struct rwatch *w = rd->watches;
		rd->watches = w->next;
		free(w);
	}
}

static void rdom_free(struct recovery *r, uint32_t domid)
{
	struct rdom *rd = r->doms[domid];

	if (!rd)
		return;
	rdom_clear_watches(rd);
	free(rd);
	r->doms[domid] = NULL;
}

/* ---- applying operations ---------------------------------------------------- */

/* A path field: absolute, no NUL inside; copied NUL-terminated. */
static const char *get_path(struct recovery *r, struct rreader *rr)
{
	size_t len;
	const char *p = rr_str(rr, &len);

	if (!p || !len || len >= sizeof(r->path) || p[0] != '/' ||
	    memchr(p, '\0', len))
		return NULL;
	memcpy(r->path, p, len);
	r->path[len] = '\0';
	return r->path;
}

static int apply_node(struct recovery *r, struct rreader *rr, uint8_t op,
		      char *why, size_t whysize)
{
	struct store *s = &r->d->store;
	const char *path = get_path(r, rr);
	struct node *n;
	uint32_t np = 0;
	uint64_t pgen = 0;
	const void *val = NULL;
	size_t vlen = 0;
	int ret = 0;

	if (!path)
		goto bad;
	if (op == JOP_NODE)
		pgen = rr_u64(rr);
	if (op == JOP_CREATE || op == JOP_PERMS || op == JOP_NODE)
		np = rr_perms(rr, r->perms, RECOVER_PERMS_MAX);
	if (op == JOP_VALUE || op == JOP_NODE)
		val = rr_blob(rr, &vlen);
	if (!rr->ok)
		goto bad;
	switch (op) {
	case JOP_CREATE:
		ret = store_create(s, path, r->perms, np, &n);
		break;
	case JOP_NODE:
		r->nodes++;
		if (strcmp(path, "/") == 0) {
			n = s->root;
			ret = store_set_perms(s, n, r->perms, np);
		} else {
			ret = store_create(s, path, r->perms, np, &n);
		}
		if (!ret && (vlen || n->vlen))
			ret = store_set_value(s, n, val, vlen);
		if (!ret)
			n->pgen = pgen;
		break;
	case JOP_VALUE:
	case JOP_PERMS:
	case JOP_REMOVE:
		n = store_lookup(s, path);
		if (!n || (op == JOP_REMOVE && n == s->root)) {
			snprintf(why, whysize, "%s of %.200s, which does not exist",
				 op == JOP_REMOVE ? "removal" : "change", path);
			return -EBADMSG;
		}
		if (op == JOP_VALUE)
			ret = store_set_value(s, n, val, vlen);
		else if (op == JOP_PERMS)
			ret = store_set_perms(s, n, r->perms, np);
		else
			store_remove(s, n, path, NULL, NULL);
		break;
	}
	if (ret)
		snprintf(why, whysize, "%.200s: %s", path, strerror(-ret));
	return ret;
bad:
	snprintf(why, whysize, "malformed node operation %u", op);
	return -EBADMSG;
}

static int apply_domain(struct recovery *r, struct rreader *rr, bool snapshot)
{
	uint32_t domid = rr_u32(rr);
	uint8_t flags = rr_u8(rr);
	struct domain_image img = {.domid = domid};
	struct quotas ov;
	uint32_t set_hard, set_soft;

	img.introduced = flags & JOP_DOM_INTRODUCED;
	img.shutdown_reported = flags & JOP_DOM_SHUTDOWN;
	img.gfn = rr_u64(rr);
	img.remote_port = rr_u32(rr);
	img.target = rr_u32(rr);
	img.features = rr_u32(rr);
	img.known_gen = rr_u64(rr);
	set_hard = rr_u32(rr);
	set_soft = rr_u32(rr);
	uint8_t nq = rr_u8(rr);
	if (!rr->ok || domid > PERM_DOMID_MAX || nq != Q_COUNT)
		return -EBADMSG;
	for (int i = 0; i < Q_COUNT; i++)
		ov.hard[i] = rr_u32(rr);
	for (int i = 0; i < Q_COUNT; i++)
		ov.soft[i] = rr_u32(rr);
	if (!rr->ok)
		return -EBADMSG;
	struct rdom *rd = r->doms[domid];
	if (!rd) {
		rd = calloc(1, sizeof(*rd));
		if (!rd)
			return -ENOMEM;
		r->doms[domid] = rd;
		/* A domain first known during replay became known at this
		 * point of the replayed history: permissions set later
		 * count for it, earlier ones do not (XSA-322). */
		if (!snapshot)
			img.known_gen = r->d->store.gen;
	} else {
		img.known_gen = rd->img.known_gen;
	}
	rd->img = img;
	rd->set_hard = set_hard;
	rd->set_soft = set_soft;
	rd->ov = ov;
	if (!img.introduced)
		rdom_clear_watches(rd);
	return 0;
}

static int apply_watch(struct recovery *r, struct rreader *rr, bool add)
{
	uint32_t domid = rr_u32(rr), rel_len = 0, depth1 = 0;
	size_t plen, tlen;

	if (add) {
		rel_len = rr_u32(rr);
		depth1 = rr_u32(rr);
	}
	const char *path = rr_str(rr, &plen);
	const char *token = rr_str(rr, &tlen);
	if (!rr->ok || domid > PERM_DOMID_MAX || !plen ||
	    memchr(path, '\0', plen) || memchr(token, '\0', tlen) ||
	    rel_len > plen || depth1 > XS_ABS_PATH_MAX)
		return -EBADMSG;
	struct rdom *rd = r->doms[domid];
	if (!rd)
		return 0; /* its domain went in the same round */
	for (struct rwatch **pp = &rd->watches; *pp; pp = &(*pp)->next) {
		struct rwatch *w = *pp;
		if (strlen(w->path) == plen && memcmp(w->path, path, plen) == 0 &&
		    strlen(w->token) == tlen && memcmp(w->token, token, tlen) == 0) {
			*pp = w->next;
			free(w);
			break;
		}
	}
	if (!add)
		return 0;
	struct rwatch *w = malloc(sizeof(*w) + plen + 1 + tlen + 1);
	if (!w)
		return -ENOMEM;
	memcpy(w->path, path, plen);
	w->path[plen] = '\0';
	w->token = w->path + plen + 1;
	memcpy(w->token, token, tlen);
	w->token[tlen] = '\0';
	w->rel_len = rel_len;
	w->depth = (int)depth1 - 1;
	w->next = rd->watches;
	rd->watches = w;
	return 0;
}

static int apply_setting(struct recovery *r, struct rreader *rr, uint8_t op)
{
	struct daemon *d = r->d;

	if (op == JOP_QUOTA) {
		uint8_t item = rr_u8(rr), soft = rr_u8(rr);
		uint32_t v = rr_u32(rr);
		if (!rr->ok || item >= Q_COUNT || soft > 1)
			return -EBADMSG;
		if (soft) {
			d->quotas.soft[item] = v;
			r->j->rt_soft |= 1u << item;
		} else {
			d->quotas.hard[item] = v;
			r->j->rt_hard |= 1u << item;
		}
		return 0;
	}
	uint8_t which = rr_u8(rr);
	uint32_t np = rr_perms(rr, r->perms, RECOVER_PERMS_MAX);
	if (!rr->ok || which >= SPECIAL_COUNT)
		return -EBADMSG;
	struct xs_perm *copy = malloc(np * sizeof(*copy));
	if (!copy)
		return -ENOMEM;
	memcpy(copy, r->perms, np * sizeof(*copy));
	free(d->special[which].perms);
	d->special[which].perms = copy;
	d->special[which].nperms = np;
	return 0;
}

/* Apply the operations of one REC_CHANGES payload.  0, or an error with
 * why filled in. */
static int apply_ops(struct recovery *r, const unsigned char *p, size_t len,
		     bool snapshot, char *why, size_t whysize)
{
	struct rreader rr = {.p = p, .left = len, .ok = true};
	int ret = 0;

	while (rr.left && !ret) {
		uint8_t op = rr_u8(&rr);
		r->ops++;
		switch (op) {
		case JOP_CREATE:
		case JOP_VALUE:
		case JOP_PERMS:
		case JOP_REMOVE:
		case JOP_NODE:
			if (op == JOP_NODE && !snapshot)
				goto bad;
			ret = apply_node(r, &rr, op, why, whysize);
			continue;
		case JOP_DOMAIN:
			ret = apply_domain(r, &rr, snapshot);
			break;
		case JOP_DOMAIN_GONE: {
			uint32_t domid = rr_u32(&rr);
			if (!rr.ok || domid > PERM_DOMID_MAX)
				goto bad;
			rdom_free(r, domid);
			break;
		}
		case JOP_QUOTA:
		case JOP_SPECIAL:
			ret = apply_setting(r, &rr, op);
			break;
		case JOP_WATCH_ADD:
		case JOP_WATCH_DEL:
			ret = apply_watch(r, &rr, op == JOP_WATCH_ADD);
			break;
		default:
			goto bad;
		}
		if (ret == -EBADMSG)
			goto bad;
		if (ret)
			snprintf(why, whysize, "%s", strerror(-ret));
	}
	return ret;
bad:
	snprintf(why, whysize, "malformed operation at byte %zu of the record",
		 len - rr.left);
	return -EBADMSG;
}

/* ---- files --------------------------------------------------------------------- */

struct mapped {
	int fd;
	unsigned char *data;
	size_t len;
};

static int map_file(int dirfd, const char *name, bool rw, struct mapped *m)
{
	struct stat st;

	m->data = NULL;
	m->len = 0;
	m->fd = openat(dirfd, name, (rw ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (m->fd < 0)
		return -errno;
	if (fstat(m->fd, &st) != 0) {
		int ret = -errno;
		close(m->fd);
		return ret;
	}
	m->len = (size_t)st.st_size;
	if (m->len == 0)
		return 0;
	m->data = mmap(NULL, m->len, PROT_READ, MAP_PRIVATE, m->fd, 0);
	if (m->data == MAP_FAILED) {
		int ret = -errno;
		close(m->fd);
		m->data = NULL;
		return ret;
	}
	return 0;
}

static void unmap_file(struct mapped *m)
{
	if (m->data)
		munmap(m->data, m->len);
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
	m->data = NULL;
}

static const char *rec_problem(enum rec_status st)
{
	return st == REC_TRUNCATED ? "incomplete record" : "bad record (checksum, "
							    "marker or length)";
}

/* Count record markers in a dropped tail, for the log. */
static unsigned int markers_in(const unsigned char *p, size_t len)
{
	unsigned int n = 0;

	for (size_t i = 0; i + 4 <= len; i++)
		if (p[i] == (REC_MAGIC & 0xff) && p[i + 1] == ((REC_MAGIC >> 8) & 0xff) &&
		    p[i + 2] == ((REC_MAGIC >> 16) & 0xff) && p[i + 3] == (REC_MAGIC >> 24))
			n++;
	return n ? n : 1;
}

/*
 * Check (apply false) or load (apply true) snapshot n.  Checking returns
 * 0 if it is whole, else RECOVER_DAMAGED with *bad_off at the first bad
 * byte; loading applies the records before limit.
 */
static int snapshot_pass(struct recovery *r, uint64_t n, bool apply,
			 size_t limit, size_t *bad_off, char *why, size_t whysize)
{
	char name[64];
	struct mapped m;
	struct rec rec;
	size_t off = 0;
	uint64_t count = 0;
	int ret;

	state_file_name(name, sizeof(name), "snapshot", n, false);
	ret = map_file(r->j->dirfd, name, false, &m);
	if (ret) {
		snprintf(why, whysize, "cannot read: %s", strerror(-ret));
		*bad_off = 0;
		return ret == -ENOENT ? RECOVER_DAMAGED : ret;
	}
	ret = 0;
	while (off < m.len && (!apply || off < limit)) {
		enum rec_status st = rec_parse(m.data + off, m.len - off, &rec);
		if (st != REC_OK) {
			snprintf(why, whysize, "%s", rec_problem(st));
			ret = RECOVER_DAMAGED;
			break;
		}
		struct rreader rr = {.p = rec.payload, .left = rec.len, .ok = true};
		if (count == 0) {
			uint32_t version = rr_u32(&rr);
			uint64_t num = rr_u64(&rr), gen = rr_u64(&rr);
			if (rec.type != REC_SNAP_HEAD || !rr.ok ||
			    version != REC_FORMAT_VERSION || num != n) {
				snprintf(why, whysize, "not the header of snapshot %"
					 PRIu64, n);
				ret = RECOVER_DAMAGED;
				break;
			}
			if (apply && gen > r->d->store.gen)
				r->d->store.gen = gen;
		} else if (rec.type == REC_SNAP_END) {
			uint64_t want = rr_u64(&rr);
			if (!rr.ok || want != count || off + rec.size != m.len) {
				snprintf(why, whysize, "bad end record");
				ret = RECOVER_DAMAGED;
				break;
			}
			off += rec.size;
			count++;
			break;
		} else if (rec.type != REC_CHANGES) {
			snprintf(why, whysize, "unexpected record type %u", rec.type);
			ret = RECOVER_DAMAGED;
			break;
		} else if (apply) {
			ret = apply_ops(r, rec.payload, rec.len, true, why, whysize);
			if (ret)
				break;
		}
		off += rec.size;
		count++;
	}
	if (!ret && !apply && (off != m.len || count < 2)) {
		snprintf(why, whysize, "no end record (incomplete snapshot)");
		ret = RECOVER_DAMAGED;
	}
	*bad_off = off;
	unmap_file(&m);
	/* The recorded store generation bounds every generation in the
	 * snapshot; nodes made while loading may have counted past it. */
	return ret;
}

/* Move a damaged file aside (partial recovery), for whoever investigates. */
static void set_aside(struct recovery *r, const char *name)
{
	char aside[80];

	snprintf(aside, sizeof(aside), "%s.damaged", name);
	if (renameat(r->j->dirfd, name, r->j->dirfd, aside) == 0)
		log_msg(LOG_LVL_WARN, "state: %s kept as %s", name, aside);
}

/*
 * Replay journal n.  last: no later journal exists, so a damaged tail is
 * a torn write (cut off here).  *stop: partial recovery dropped the rest,
 * later journals must not be applied.
 */
static int replay_journal(struct recovery *r, uint64_t n, bool last, bool *stop)
{
	char name[64], why[256] = "";
	struct mapped m;
	struct rec rec;
	size_t off = 0;
	uint64_t records = 0;
	int ret;

	state_file_name(name, sizeof(name), "journal", n, false);
	ret = map_file(r->j->dirfd, name, last, &m);
	if (ret) {
		log_msg(LOG_LVL_ERR, "state: %s/%s: cannot read: %s", r->j->dir,
			name, strerror(-ret));
		return ret;
	}
	while (off < m.len) {
		enum rec_status st = rec_parse(m.data + off, m.len - off, &rec);
		if (st == REC_OK && off == 0) {
			struct rreader rr = {.p = rec.payload, .left = rec.len, .ok = true};
			uint32_t version = rr_u32(&rr);
			uint64_t num = rr_u64(&rr);
			if (rec.type != REC_JOURNAL_HEAD || !rr.ok ||
			    version != REC_FORMAT_VERSION || num != n) {
				snprintf(why, sizeof(why), "not the header of journal %"
					 PRIu64, n);
				goto damaged;
			}
		} else if (st == REC_OK) {
			if (rec.type != REC_CHANGES) {
				snprintf(why, sizeof(why), "unexpected record type %u",
					 rec.type);
				goto damaged;
			}
			ret = apply_ops(r, rec.payload, rec.len, false, why, sizeof(why));
			if (ret == -ENOMEM)
				goto out;
			if (ret)
				goto damaged;
			records++;
		} else if (last && !rec_valid_after(m.data, m.len, off)) {
			/* A torn tail: the write a crash interrupted. */
			log_msg(LOG_LVL_WARN, "state: %s/%s: dropped a torn tail at "
				"offset %zu: %zu bytes, %u incomplete record(s)",
				r->j->dir, name, off, m.len - off,
				markers_in(m.data + off, m.len - off));
			if (ftruncate(m.fd, (off_t)off) != 0) {
				ret = -errno;
				log_msg(LOG_LVL_ERR, "state: %s/%s: cannot truncate: %s",
					r->j->dir, name, strerror(errno));
				goto out;
			}
			m.len = off;
			break;
		} else {
			snprintf(why, sizeof(why), "%s%s", rec_problem(st),
				 last ? ", followed by valid records"
				      : " in a journal that is not the last");
			goto damaged;
		}
		off += rec.size;
	}
	r->j->number = n;
	r->j->size = off;
	/* A journal cut down to nothing lost even its header: start anew. */
	if (off == 0 && last)
		r->new_chain = true;
	ret = 0;
	log_msg(LOG_LVL_INFO, "state: %s: %" PRIu64 " records replayed", name,
		records);
	goto out;
damaged:
	if (!r->partial) {
		log_msg(LOG_LVL_ERR, "state: %s/%s offset %zu: %s; refusing to "
			"start with a tree that may be wrong (--state-recover=partial "
			"starts with what is valid)", r->j->dir, name, off, why);
		ret = RECOVER_DAMAGED;
		goto out;
	}
	log_msg(LOG_LVL_WARN, "state: %s/%s offset %zu: %s; partial recovery "
		"drops the %zu bytes from there and every later journal", r->j->dir,
		name, off, why, m.len - off);
	r->damaged = r->new_chain = true;
	*stop = true;
	ret = 0;
	unmap_file(&m);
	set_aside(r, name);
	return 0;
out:
	unmap_file(&m);
	return ret;
}

/* Empty the store to the bare root before a snapshot is loaded into it:
 * the snapshot has every node, in its own order. */
static int reset_store(struct daemon *d)
{
	store_release(&d->store);
	return store_init(&d->store);
}

static int load_chain(struct recovery *r, const struct numbers *snaps,
		      const struct numbers *journals)
{
	char name[64], why[256] = "";
	uint64_t s_num = 0, j_max = 0;
	size_t bad_off = 0;
	bool have_snap = false;
	int ret;

	for (size_t i = 0; i < journals->n; i++)
		if (journals->v[i] > j_max)
			j_max = journals->v[i];
	/* Newest whole snapshot; in strict mode only the newest counts. */
	uint64_t newest = 0;
	for (size_t i = 0; i < snaps->n; i++)
		if (snaps->v[i] > newest)
			newest = snaps->v[i];
	for (uint64_t cand = newest; snaps->n && cand > 0; cand--) {
		if (!numbers_has(snaps, cand))
			continue;
		ret = snapshot_pass(r, cand, false, 0, &bad_off, why, sizeof(why));
		if (ret == 0) {
			s_num = cand;
			have_snap = true;
			break;
		}
		if (ret != RECOVER_DAMAGED)
			return ret;
		state_file_name(name, sizeof(name), "snapshot", cand, false);
		if (!r->partial) {
			log_msg(LOG_LVL_ERR, "state: %s/%s offset %zu: %s; refusing "
				"to start with a tree that may be wrong "
				"(--state-recover=partial starts with what is valid)",
				r->j->dir, name, bad_off, why);
			return RECOVER_DAMAGED;
		}
		log_msg(LOG_LVL_WARN, "state: %s/%s offset %zu: %s", r->j->dir,
			name, bad_off, why);
		r->damaged = r->new_chain = true;
		/* An older snapshot helps only if every journal from its own
		 * to the newest is there. */
		uint64_t older = 0;
		for (size_t i = 0; i < snaps->n; i++)
			if (snaps->v[i] < cand && snaps->v[i] > older)
				older = snaps->v[i];
		bool chain = older > 0;
		for (uint64_t k = older; chain && k <= j_max; k++)
			chain = numbers_has(journals, k);
		if (chain) {
			set_aside(r, name);
			cand = older + 1; /* the loop steps down to it */
			continue;
		}
		/* Nothing better: what is valid of this one, no journals. */
		ret = reset_store(r->d);
		if (!ret)
			ret = snapshot_pass(r, cand, true, bad_off, &bad_off, why,
					    sizeof(why));
		if (ret && ret != RECOVER_DAMAGED)
			return ret;
		log_msg(LOG_LVL_WARN, "state: partial recovery: %" PRIu64 " nodes "
			"from the valid part of %s; its journals (%" PRIu64
			" and later) are dropped", r->nodes, name, cand);
		set_aside(r, name);
		r->j->number = j_max > cand ? j_max : cand;
		return 0;
	}
	if (!have_snap) {
		if (!journals->n)
			return 0; /* nothing at all: a fresh start */
		uint64_t j_min = j_max;
		for (size_t i = 0; i < journals->n; i++)
			if (journals->v[i] < j_min)
				j_min = journals->v[i];
		if (!r->partial) {
			log_msg(LOG_LVL_ERR, "state: %s/journal.%" PRIu64 " follows "
				"snapshot.%" PRIu64 ", which is missing; refusing to "
				"start with a tree that may be wrong "
				"(--state-recover=partial starts with what is valid)",
				r->j->dir, j_min, j_min);
			return RECOVER_DAMAGED;
		}
		log_msg(LOG_LVL_WARN, "state: snapshot.%" PRIu64 " is missing: "
			"partial recovery starts from the initial tree and drops "
			"journals %" PRIu64 " to %" PRIu64, j_min, j_min, j_max);
		r->damaged = r->new_chain = true;
		r->j->number = j_max;
		return 0;
	}
	ret = reset_store(r->d);
	if (!ret)
		ret = snapshot_pass(r, s_num, true, SIZE_MAX, &bad_off, why, sizeof(why));
	if (ret) {
		state_file_name(name, sizeof(name), "snapshot", s_num, false);
		log_msg(LOG_LVL_ERR, "state: %s/%s offset %zu: %s", r->j->dir, name,
			bad_off, why);
		return ret == -EBADMSG ? RECOVER_DAMAGED : ret;
	}
	log_msg(LOG_LVL_INFO, "state: snapshot.%" PRIu64 ": %" PRIu64 " nodes",
		s_num, r->nodes);
	r->j->number = s_num;
	r->j->size = 0;
	for (uint64_t k = s_num; k <= j_max; k++) {
		bool stop = false;
		if (!numbers_has(journals, k)) {
			if (k == s_num && k == j_max)
				break; /* snapshot written, journal not yet */
			if (!r->partial) {
				log_msg(LOG_LVL_ERR, "state: %s/journal.%" PRIu64 " is "
					"missing but journal.%" PRIu64 " exists; refusing "
					"to start with a tree that may be wrong "
					"(--state-recover=partial starts with what is "
					"valid)", r->j->dir, k, j_max);
				return RECOVER_DAMAGED;
			}
			log_msg(LOG_LVL_WARN, "state: journal.%" PRIu64 " is missing: "
				"partial recovery drops journals %" PRIu64 " to %"
				PRIu64, k, k, j_max);
			r->damaged = r->new_chain = true;
			break;
		}
		ret = replay_journal(r, k, k == j_max, &stop);
		if (ret)
			return ret;
		if (stop) {
			if (k < j_max)
				log_msg(LOG_LVL_WARN, "state: journals %" PRIu64
					" to %" PRIu64 " dropped", k + 1, j_max);
			break;
		}
	}
	if (j_max > r->j->number)
		r->j->number = j_max;
	return 0;
}

static int list_dir(struct recovery *r, struct numbers *snaps,
		    struct numbers *journals)
{
	DIR *dir = fdopendir(dup(r->j->dirfd));
	struct dirent *e;
	uint64_t n;
	int ret = 0;

	if (!dir)
		return -errno;
	while ((e = readdir(dir)) != NULL && !ret) {
		if (parse_name(e->d_name, "snapshot", ".tmp", &n)) {
			/* An unfinished snapshot: its compaction never happened. */
			unlinkat(r->j->dirfd, e->d_name, 0);
			log_msg(LOG_LVL_INFO, "state: removed unfinished %s", e->d_name);
		} else if (parse_name(e->d_name, "snapshot", "", &n)) {
			ret = numbers_add(snaps, n);
		} else if (parse_name(e->d_name, "journal", "", &n)) {
			ret = numbers_add(journals, n);
		}
	}
	closedir(dir);
	return ret;
}

static void recovery_free(struct recovery *r)
{
	if (!r)
		return;
	if (r->doms) {
		for (uint32_t i = 0; i <= PERM_DOMID_MAX; i++)
			rdom_free(r, i);
		free(r->doms);
	}
	free(r);
}

/* Set j up from cfg and open (making it if needed) the directory. */
static int open_state_dir(const struct state_config *cfg, struct journal *j)
{
	int ret;

	memset(j, 0, sizeof(*j));
	j->fd = -1;
	j->dirfd = -1;
	j->policy = cfg->policy;
	j->interval_ms = cfg->interval_ms;
	j->max_bytes = cfg->max_bytes;
	j->dir = strdup(cfg->dir);
	if (!j->dir)
		return -ENOMEM;
	if (mkdir(cfg->dir, 0700) != 0 && errno != EEXIST) {
		ret = -errno;
		log_msg(LOG_LVL_ERR, "state: cannot make %s: %s", cfg->dir,
			strerror(errno));
		return ret;
	}
	j->dirfd = open(cfg->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (j->dirfd < 0) {
		ret = -errno;
		log_msg(LOG_LVL_ERR, "state: cannot open %s: %s", cfg->dir,
			strerror(errno));
		return ret;
	}
	return 0;
}

int recover_scan(const struct state_config *cfg, struct journal *j)
{
	struct numbers snaps = {0}, journals = {0};
	struct recovery r = {.j = j};
	int ret = open_state_dir(cfg, j);

	if (!ret)
		ret = list_dir(&r, &snaps, &journals);
	for (size_t i = 0; i < snaps.n; i++)
		if (snaps.v[i] > j->number)
			j->number = snaps.v[i];
	for (size_t i = 0; i < journals.n; i++)
		if (journals.v[i] > j->number)
			j->number = journals.v[i];
	free(snaps.v);
	free(journals.v);
	return ret;
}

int recover_load(struct daemon *d, const struct state_config *cfg,
		 struct journal *j, struct recovery **out, bool *fresh)
{
	struct numbers snaps = {0}, journals = {0};
	struct recovery *r;
	int ret;

	*out = NULL;
	*fresh = false;
	ret = open_state_dir(cfg, j);
	if (ret)
		return ret;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->d = d;
	r->j = j;
	r->partial = cfg->partial;
	r->doms = calloc(PERM_DOMID_MAX + 1, sizeof(*r->doms));
	ret = r->doms ? list_dir(r, &snaps, &journals) : -ENOMEM;
	if (!ret)
		ret = load_chain(r, &snaps, &journals);
	/* A new chain is numbered above every file there is. */
	for (size_t i = 0; i < snaps.n; i++)
		if (snaps.v[i] > j->number)
			j->number = snaps.v[i];
	for (size_t i = 0; i < journals.n; i++)
		if (journals.v[i] > j->number)
			j->number = journals.v[i];
	free(snaps.v);
	free(journals.v);
	if (ret) {
		recovery_free(r);
		return ret;
	}
	if (r->damaged)
		log_msg(LOG_LVL_WARN, "state: partial recovery: starting with %zu "
			"nodes; a new snapshot starts a clean chain", d->store.count);
	/* Continue the last journal when it is whole; otherwise (nothing
	 * yet, or something dropped) start a new chain. */
	if (!r->new_chain && j->size > 0) {
		char name[64];
		state_file_name(name, sizeof(name), "journal", j->number, false);
		j->fd = openat(j->dirfd, name, O_WRONLY | O_APPEND | O_CLOEXEC);
		if (j->fd < 0) {
			ret = -errno;
			recovery_free(r);
			return ret;
		}
	} else {
		*fresh = true;
	}
	*out = r;
	return 0;
}

/* The watches of a restored ring connection, each fired once: whatever
 * changed while the daemon was away is not missed (spurious events are
 * allowed, missed ones are not). */
static void restore_watches(struct daemon *d, struct conn *c,
			    const struct rdom *rd)
{
	for (const struct rwatch *rw = rd->watches; rw; rw = rw->next) {
		struct watch *w;
		int ret = watch_add(&d->watches, c, &c->watches, rw->path,
				    rw->token, rw->rel_len, rw->depth, &w);
		if (ret) {
			log_msg(LOG_LVL_WARN, "state: domain %u: watch %s not "
				"restored: %s", rd->img.domid, rw->path, strerror(-ret));
			continue;
		}
		c->nwatches++;
		struct usage u = {.watches = 1,
				  .bytes = (int64_t)watch_charge_of(rw->path, rw->token)};
		acct_add(c, &u);
		conn_queue_event(c, watch_event_path(w, w->path), w->token);
	}
}

int recover_restore(struct daemon *d, struct recovery *r)
{
	unsigned int restored = 0, rings = 0;

	for (uint32_t domid = 0; domid <= PERM_DOMID_MAX; domid++) {
		struct rdom *rd = r->doms[domid];
		struct domain *dom;

		if (!rd)
			continue;
		bool map = rd->img.introduced && d->domains.backend;
		if (rd->img.introduced && !d->domains.backend)
			log_msg(LOG_LVL_WARN, "state: domain %u was introduced, but "
				"there is no hypervisor backend: left unintroduced",
				domid);
		int ret = domain_restore(d, &rd->img, map, &dom);
		if (ret) {
			log_msg(LOG_LVL_WARN, "state: domain %u not restored: %s",
				domid, strerror(-ret));
			continue;
		}
		restored++;
		dom->quota_override = rd->ov;
		dom->quota_set_hard = rd->set_hard;
		dom->quota_set_soft = rd->set_soft;
		if (!dom->introduced || dom->conn)
			continue;
		if (!ring_conn_new(d, dom))
			return -ENOMEM;
		ring_set_features(dom, dom->features);
		restore_watches(d, dom->conn, rd);
		rings++;
	}
	log_msg(LOG_LVL_INFO, "state: %zu nodes, %u domains, %u rings restored",
		d->store.count, restored, rings);
	return 0;
}

void recover_finish(struct daemon *d, struct recovery *r)
{
	char msg[256];

	if (daemon_check(d, msg, sizeof(msg)) != 0)
		log_msg(LOG_LVL_ERR, "state: the restored state is inconsistent: %s",
			msg);
	for (struct domain *dom = d->domains.list; dom; dom = dom->next)
		if (dom->introduced)
			ring_domain_event(d, dom);
	domains_check(d);
	recovery_free(r);
}
