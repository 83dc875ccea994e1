/* SPDX-License-Identifier: MIT */
/*
 * Writing a snapshot; see snapshot.h.  Nodes go in pre-order (a parent
 * before its children, siblings in creation order), so reading them back
 * in file order rebuilds the same tree with the same child order.
 */
#include "snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/path.h"
#include "conn.h"
#include "daemon.h"
#include "domain.h"
#include "journal.h"
#include "record.h"

struct snap_out {
	int fd;
	struct rbuf b;
	size_t rec_off;
	uint64_t records;
	uint64_t bytes;
	int err;
};

static void out_flush(struct snap_out *o)
{
	size_t off = 0;

	if (o->b.err && !o->err)
		o->err = o->b.err;
	while (!o->err && off < o->b.len) {
		ssize_t n = write(o->fd, o->b.data + off, o->b.len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			o->err = -errno;
		else
			off += (size_t)n;
	}
	o->bytes += o->b.len;
	o->b.len = 0;
}

/* Close the current REC_CHANGES record when it is big enough (or when
 * force), and open the next one unless ending. */
static void out_cut(struct snap_out *o, bool force, bool more)
{
	if (!force && o->b.len - o->rec_off < SNAPSHOT_RECORD_BYTES)
		return;
	rec_finish(&o->b, o->rec_off);
	o->records++;
	out_flush(o);
	if (more)
		o->rec_off = rec_start(&o->b, REC_CHANGES);
}

static void put_nodes(struct snap_out *o, const struct store *s)
{
	char path[PATH_BUF_SIZE];
	const struct node *cur = s->root;

	/* Pre-order walk through parent pointers: no recursion. */
	while (cur) {
		size_t len = store_path(cur, path, sizeof(path));
		rbuf_u8(&o->b, JOP_NODE);
		rbuf_str(&o->b, path, len);
		rbuf_u64(&o->b, cur->pgen);
		rbuf_perms(&o->b, cur->perms, cur->nperms);
		rbuf_blob(&o->b, cur->value, cur->vlen);
		out_cut(o, false, true);
		if (o->err)
			return;
		if (cur->first_child) {
			cur = cur->first_child;
			continue;
		}
		while (cur && !cur->next_sib)
			cur = cur->parent;
		if (cur)
			cur = cur->next_sib;
	}
}

static void put_settings(struct snap_out *o, const struct daemon *d,
			 const struct journal *j)
{
	for (int i = 0; i < SPECIAL_COUNT; i++) {
		rbuf_u8(&o->b, JOP_SPECIAL);
		rbuf_u8(&o->b, (uint8_t)i);
		rbuf_perms(&o->b, d->special[i].perms, d->special[i].nperms);
	}
	for (int i = 0; i < Q_COUNT; i++) {
		for (int soft = 0; soft < 2; soft++) {
			if (!((soft ? j->rt_soft : j->rt_hard) & (1u << i)))
				continue;
			rbuf_u8(&o->b, JOP_QUOTA);
			rbuf_u8(&o->b, (uint8_t)i);
			rbuf_u8(&o->b, (uint8_t)soft);
			rbuf_u32(&o->b, soft ? d->quotas.soft[i] : d->quotas.hard[i]);
		}
	}
}

static void put_domains(struct snap_out *o, const struct daemon *d)
{
	for (const struct domain *dom = d->domains.list; dom; dom = dom->next) {
		journal_encode_domain(&o->b, dom);
		if (!dom->conn || dom->conn->dead)
			continue;
		for (const struct watch *w = dom->conn->watches; w; w = w->onext) {
			rbuf_u8(&o->b, JOP_WATCH_ADD);
			rbuf_u32(&o->b, dom->domid);
			rbuf_u32(&o->b, w->rel_len);
			rbuf_u32(&o->b, (uint32_t)(w->depth + 1));
			rbuf_str(&o->b, w->path, w->plen);
			rbuf_str(&o->b, w->token, strlen(w->token));
		}
		out_cut(o, false, true);
	}
}

int snapshot_write(struct daemon *d, const struct journal *j, uint64_t n,
		   uint64_t *bytes)
{
	char tmp[64], name[64];
	struct snap_out o = {0};

	state_file_name(tmp, sizeof(tmp), "snapshot", n, true);
	state_file_name(name, sizeof(name), "snapshot", n, false);
	o.fd = openat(j->dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (o.fd < 0)
		return -errno;
	size_t off = rec_start(&o.b, REC_SNAP_HEAD);
	rbuf_u32(&o.b, REC_FORMAT_VERSION);
	rbuf_u64(&o.b, n);
	rbuf_u64(&o.b, d->store.gen);
	rec_finish(&o.b, off);
	o.records++;
	o.rec_off = rec_start(&o.b, REC_CHANGES);
	put_nodes(&o, &d->store);
	put_settings(&o, d, j);
	put_domains(&o, d);
	out_cut(&o, true, false);
	off = rec_start(&o.b, REC_SNAP_END);
	rbuf_u64(&o.b, o.records);
	rec_finish(&o.b, off);
	out_flush(&o);
	if (!o.err && fsync(o.fd) != 0)
		o.err = -errno;
	if (close(o.fd) != 0 && !o.err)
		o.err = -errno;
	if (!o.err && renameat(j->dirfd, tmp, j->dirfd, name) != 0)
		o.err = -errno;
	if (!o.err && fsync(j->dirfd) != 0)
		o.err = -errno;
	if (o.err)
		unlinkat(j->dirfd, tmp, 0);
	else if (bytes)
		*bytes = o.bytes;
	rbuf_release(&o.b);
	return o.err;
}
