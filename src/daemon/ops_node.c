/* SPDX-License-Identifier: MIT */
/*
 * Database requests: READ, WRITE, MKDIR, RM, DIRECTORY, DIRECTORY_PART,
 * GET_PERMS, SET_PERMS.  Semantics and error names are the reference
 * daemon's (Xen's C xenstored); each handler parses its arguments, checks
 * permissions and quotas, and calls the view.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl.h"
#include "common/codec.h"
#include "common/path.h"
#include "daemon.h"
#include "ops.h"
#include "txn.h"
#include "store.h"

/* No SET_PERMS payload can name more entries than this. */
#define PERMS_MAX (XS_PAYLOAD_MAX / 3)
/* Bytes a permission entry is charged in the node-size quota. */
#define PERM_CHARGE 8u

/* What the caller may do on a node, counting only live entries (XSA-322). */
static unsigned int access_of(const struct request *r, const struct nodeinfo *info)
{
	const struct acl_check chk = {.valid = domain_entry_valid,
				      .ctx = &r->d->domains, .pgen = info->pgen};

	return acl_access(r->caller, info->perms, info->nperms, &chk);
}

/*
 * A caller without access to a node's parents must not learn whether the
 * node exists: a failure is reported as EACCES unless the nearest existing
 * ancestor grants some of the access asked for (as the reference does).
 */
static int hide_errno(struct request *r, const char *path, unsigned int need,
		      int err)
{
	char parent[PATH_BUF_SIZE];
	struct nodeinfo info;

	if (r->caller->privileged || err == -ENOMEM || strcmp(path, "/") == 0)
		return err;
	strcpy(parent, path);
	char *slash = strrchr(parent, '/');
	slash[slash == parent ? 1 : 0] = '\0';
	if (view_nearest(&r->view, parent, &info) != 0)
		return err;
	return (access_of(r, &info) & need) ? err : -EACCES;
}

/* Read the node at path with the access in `need`, else -EACCES/-ENOENT. */
static int get_checked(struct request *r, const char *path, unsigned int need,
		       struct nodeinfo *info)
{
	int ret = view_get(&r->view, path, info);

	if (ret == 0 &&
	    (access_of(r, info) & need) != need)
		ret = -EACCES;
	if (ret == -ENOENT || ret == -EACCES)
		ret = hide_errno(r, path, need, ret);
	return ret;
}

static bool over_quota(struct request *r, enum quota_item item, uint64_t value)
{
	return quota_exceeded(r->d, r->caller, item, value);
}


int op_read(struct request *r)
{
	char path[PATH_BUF_SIZE];
	struct nodeinfo info;
	size_t rel;
	int ret = req_path(r, 0, false, path, &rel);

	if (ret)
		return ret;
	ret = get_checked(r, path, PERM_READ, &info);
	if (ret)
		return ret;
	return reply_add(&r->reply, info.value, info.vlen);
}

/*
 * Create or update path.  New nodes inherit the permissions of their
 * nearest existing ancestor; an unprivileged creator becomes their owner.
 */
static int write_node(struct request *r, const char *path, const char *value,
		      size_t len, bool set_value)
{
	struct nodeinfo info;
	int ret = view_get(&r->view, path, &info);

	if (ret == 0) {
		if (!(access_of(r, &info) & PERM_WRITE))
			return -EACCES;
		if (!set_value)
			return 0;
		if (over_quota(r, Q_NODESIZE, len + (uint64_t)info.nperms * PERM_CHARGE))
			return -ENOSPC;
		/* A value that grows costs its owner; check when that is us. */
		if (len > info.vlen && info.perms[0].domid == r->caller->domid &&
		    acct_memory_reserve(r->d, r->caller, len - info.vlen) != 0)
			return -ENOMEM;
		return view_write(&r->view, path, value, len, true, NULL, 0);
	}
	if (ret != -ENOENT)
		return ret;

	ret = view_nearest(&r->view, path, &info);
	if (ret)
		return ret;
	if (!(access_of(r, &info) & PERM_WRITE))
		return -EACCES;
	if (over_quota(r, Q_NODESIZE, len + (uint64_t)info.nperms * PERM_CHARGE))
		return -ENOSPC;

	struct xs_perm *perms = malloc(info.nperms * sizeof(*perms));
	if (!perms)
		return -ENOMEM;
	memcpy(perms, info.perms, info.nperms * sizeof(*perms));
	if (!r->caller->privileged)
		perms[0].domid = r->caller->domid;
	uint32_t nperms = info.nperms;

	if (!r->caller->privileged) {
		/* Nodes about to be created: one per missing component. */
		size_t missing = 0, names = 0;
		struct nodeinfo a;
		char buf[PATH_BUF_SIZE];
		strcpy(buf, path);
		while (view_get(&r->view, buf, &a) == -ENOENT) {
			missing++;
			char *slash = strrchr(buf, '/');
			names += strlen(slash + 1) + 1;
			slash[slash == buf ? 1 : 0] = '\0';
		}
		uint64_t owned = store_owner_nodes(&r->d->store, r->caller->domid);
		if (r->txn)
			owned += txn_new_nodes(r->txn, &r->d->store, r->caller->domid);
		if (over_quota(r, Q_NODES, owned + missing)) {
			free(perms);
			return -ENOSPC;
		}
		/* What node_charge() will say of the new nodes. */
		uint64_t grow = missing * (sizeof(struct node) +
					   (uint64_t)nperms * sizeof(struct xs_perm)) +
				names + len;
		if (acct_memory_reserve(r->d, r->caller, grow) != 0) {
			free(perms);
			return -ENOMEM;
		}
	}
	ret = view_write(&r->view, path, value, len, set_value, perms, nperms);
	free(perms);
	return ret;
}

int op_write(struct request *r)
{
	char path[PATH_BUF_SIZE];
	size_t rel;
	const char *end = memchr(r->payload, '\0', r->hdr.len);

	if (!end)
		return -EINVAL;
	r->argv[0] = r->payload;
	r->argc = 1;
	int ret = req_path(r, 0, false, path, &rel);
	if (ret)
		return ret;
	size_t off = (size_t)(end - r->payload) + 1;
	ret = write_node(r, path, r->payload + off, r->hdr.len - off, true);
	return ret ? ret : reply_ok(&r->reply);
}

int op_mkdir(struct request *r)
{
	char path[PATH_BUF_SIZE];
	size_t rel;
	int ret = req_path(r, 0, false, path, &rel);

	if (ret)
		return ret;
	ret = write_node(r, path, NULL, 0, false);
	return ret ? ret : reply_ok(&r->reply);
}

int op_rm(struct request *r)
{
	char path[PATH_BUF_SIZE];
	struct nodeinfo info;
	size_t rel;
	int ret = req_path(r, 0, false, path, &rel);

	if (ret)
		return ret;
	if (strcmp(path, "/") == 0)
		return -EINVAL;
	ret = get_checked(r, path, PERM_WRITE, &info);
	if (ret == -ENOENT) {
		/* Removing a missing node is fine if its parent exists. */
		char *slash = strrchr(path, '/');
		if (slash == path)
			slash[1] = '\0';
		else
			*slash = '\0';
		ret = view_get(&r->view, path, &info);
		return ret ? ret : reply_ok(&r->reply);
	}
	if (ret)
		return ret;
	ret = view_rm(&r->view, path);
	return ret ? ret : reply_ok(&r->reply);
}

static int add_child(void *arg, const char *name, size_t len)
{
	struct reply *reply = arg;
	int ret = reply_add(reply, name, len);

	return ret ? ret : reply_add(reply, "", 1);
}

int op_directory(struct request *r)
{
	char path[PATH_BUF_SIZE];
	struct nodeinfo info;
	uint64_t cgen;
	size_t rel;
	int ret = req_path(r, 0, false, path, &rel);

	if (ret)
		return ret;
	ret = get_checked(r, path, PERM_READ, &info);
	if (ret)
		return ret;
	return view_list(&r->view, path, add_child, &r->reply, &cgen);
}

/* The whole child list, for DIRECTORY_PART. */
struct child_buf {
	char *buf;
	size_t len, cap;
};

static int collect_child(void *arg, const char *name, size_t len)
{
	struct child_buf *cb = arg;

	if (cb->len + len + 1 > cb->cap) {
		size_t ncap = cb->cap ? cb->cap * 2 : 4096;
		while (ncap < cb->len + len + 1)
			ncap *= 2;
		char *nb = realloc(cb->buf, ncap);
		if (!nb)
			return -ENOMEM;
		cb->buf = nb;
		cb->cap = ncap;
	}
	memcpy(cb->buf + cb->len, name, len);
	cb->buf[cb->len + len] = '\0';
	cb->len += len + 1;
	return 0;
}

int op_directory_part(struct request *r)
{
	char path[PATH_BUF_SIZE];
	struct nodeinfo info;
	struct child_buf cb = {0};
	uint64_t cgen, offset;
	size_t rel;
	int ret = req_path(r, 0, false, path, &rel);

	if (ret)
		return ret;
	if (xs_parse_uint(r->argv[1], UINT32_MAX, &offset) != 0)
		return -EINVAL;
	ret = get_checked(r, path, PERM_READ, &info);
	if (ret)
		return ret;
	ret = view_list(&r->view, path, collect_child, &cb, &cgen);
	if (ret)
		goto out;

	char gen[24];
	snprintf(gen, sizeof(gen), "%" PRIu64, cgen);
	ret = reply_str(&r->reply, gen);
	if (ret)
		goto out;
	/* Whole names from offset while they fit; a final empty string
	 * marks the end of the list. */
	size_t room = XS_PAYLOAD_MAX - r->reply.len - 1;
	size_t pos = offset < cb.len ? (size_t)offset : cb.len;
	size_t take = 0;
	while (pos + take < cb.len) {
		const char *nul = memchr(cb.buf + pos + take, '\0', cb.len - pos - take);
		size_t piece = (size_t)(nul - (cb.buf + pos + take)) + 1;
		if (take + piece > room)
			break;
		take += piece;
	}
	/* cb.buf is NULL when there are no children: no pointer arithmetic
	 * on it then. */
	ret = take ? reply_add(&r->reply, cb.buf + pos, take) : 0;
	if (!ret && pos + take == cb.len)
		ret = reply_add(&r->reply, "", 1);
out:
	free(cb.buf);
	return ret;
}

static int reply_perms(struct reply *reply, const struct xs_perm *perms,
		       uint32_t nperms)
{
	for (uint32_t i = 0; i < nperms; i++) {
		char text[PERM_TEXT_MAX];
		perm_format(&perms[i], text);
		int ret = reply_str(reply, text);
		if (ret)
			return ret;
	}
	return 0;
}

int op_get_perms(struct request *r)
{
	char path[PATH_BUF_SIZE];
	struct nodeinfo info;
	size_t rel;
	int ret = req_path(r, 0, true, path, &rel);

	if (ret)
		return ret;
	if (path_is_special(path)) {
		struct special_perms *sp = daemon_special(r->d, path);
		if (!sp)
			return -EINVAL;
		return reply_perms(&r->reply, sp->perms, sp->nperms);
	}
	ret = get_checked(r, path, PERM_READ, &info);
	if (ret)
		return ret;
	return reply_perms(&r->reply, info.perms, info.nperms);
}

/* Parse "path\0perm\0perm\0..." into path and a new permission array. */
static int parse_set_perms(struct request *r, char *path,
			   struct xs_perm **perms, uint32_t *nperms)
{
	size_t rel;
	const char *end = memchr(r->payload, '\0', r->hdr.len);

	if (!end || r->payload[r->hdr.len - 1] != '\0')
		return -EINVAL;
	r->argv[0] = r->payload;
	r->argc = 1;
	int ret = req_path(r, 0, true, path, &rel);
	if (ret)
		return ret;

	const char *p = end + 1, *stop = r->payload + r->hdr.len;
	uint32_t n = 0;
	for (const char *q = p; q < stop; q += strlen(q) + 1)
		n++;
	if (n == 0 || n > PERMS_MAX)
		return -EINVAL;
	struct xs_perm *v = malloc(n * sizeof(*v));
	if (!v)
		return -ENOMEM;
	n = 0;
	for (const char *q = p; q < stop; q += strlen(q) + 1) {
		if (perm_parse(q, &v[n]) != 0) {
			free(v);
			return -EINVAL;
		}
		n++;
	}
	*perms = v;
	*nperms = n;
	return 0;
}

/*
 * The owner must be a domain the hypervisor knows (ENOENT otherwise); the
 * other entries count only for domains known from now on (XSA-322,
 * XSA-417), so make sure those that exist are known.
 */
static int know_domains(struct request *r, const struct xs_perm *perms,
			uint32_t nperms)
{
	struct domain *dom;
	int ret = domain_get_or_make(r->d, perms[0].domid, &dom);

	for (uint32_t i = 1; i < nperms && ret == 0; i++)
		if (domain_get_or_make(r->d, perms[i].domid, &dom) == -ENOMEM)
			ret = -ENOMEM;
	return ret;
}

static int set_special_perms(struct request *r, const char *path,
			     struct xs_perm *perms, uint32_t nperms)
{
	struct special_perms *sp = daemon_special(r->d, path);

	if (!sp)
		return -EINVAL;
	if (!r->caller->privileged)
		return -EACCES;
	free(sp->perms);
	sp->perms = perms;
	sp->nperms = nperms;
	sp->pgen = r->d->store.gen;
	return 0;
}

int op_set_perms(struct request *r)
{
	char path[PATH_BUF_SIZE];
	struct nodeinfo info;
	struct xs_perm *perms = NULL;
	uint32_t nperms = 0;
	int ret = parse_set_perms(r, path, &perms, &nperms);

	if (ret)
		return ret;
	if (over_quota(r, Q_PERMS, nperms)) {
		ret = -ENOSPC;
		goto out;
	}
	if (path_is_special(path)) {
		ret = r->caller->privileged ? know_domains(r, perms, nperms) : -EACCES;
		if (ret == 0)
			ret = set_special_perms(r, path, perms, nperms);
		if (ret == 0)
			perms = NULL; /* now owned by the special node */
		goto out;
	}
	ret = get_checked(r, path, ACL_OWNER, &info);
	if (ret)
		goto out;
	/* Only privileged callers may give a node away (XSA-352). */
	if (!r->caller->privileged && perms[0].domid != info.perms[0].domid) {
		ret = -EPERM;
		goto out;
	}
	if (over_quota(r, Q_NODESIZE, info.vlen + (uint64_t)nperms * PERM_CHARGE)) {
		ret = -ENOSPC;
		goto out;
	}
	ret = know_domains(r, perms, nperms);
	if (ret == 0)
		ret = view_set_perms(&r->view, path, perms, nperms);
out:
	free(perms);
	return ret ? ret : reply_ok(&r->reply);
}
