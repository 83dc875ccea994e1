/* SPDX-License-Identifier: MIT */
/*
 * Domain requests that need no hypervisor: GET_DOMAIN_PATH,
 * IS_DOMAIN_INTRODUCED, and the quota pair GET_QUOTA / SET_QUOTA.
 * Until guest domains are connected, dom0 is the only domain known.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/codec.h"
#include "common/path.h"
#include "conn.h"
#include "daemon.h"
#include "ops.h"

static int parse_domid(const char *text, uint32_t *domid)
{
	uint64_t v;

	if (xs_parse_uint(text, PERM_DOMID_MAX, &v) != 0)
		return -EINVAL;
	*domid = (uint32_t)v;
	return 0;
}

int op_get_domain_path(struct request *r)
{
	char home[PATH_HOME_MAX];
	uint32_t domid;

	if (parse_domid(r->argv[0], &domid) != 0)
		return -EINVAL;
	path_home(domid, home);
	return reply_str(&r->reply, home);
}

int op_is_domain_introduced(struct request *r)
{
	uint32_t domid;

	if (parse_domid(r->argv[0], &domid) != 0)
		return -EINVAL;
	return reply_str(&r->reply, domid == 0 ? "T" : "F");
}

/* The quota set a domain id names: dom0 only, for now. */
static int domain_quotas(struct request *r, const char *text, struct quotas **q)
{
	uint32_t domid;

	if (parse_domid(text, &domid) != 0)
		return -EINVAL;
	if (domid != 0)
		return -ENOENT;
	*q = &r->d->dom0_quotas;
	return 0;
}

int op_get_quota(struct request *r)
{
	struct quotas *q = &r->d->quotas;
	enum quota_item item;
	bool soft;
	char buf[XS_PAYLOAD_MAX];

	if (r->argc == 0) {
		quota_names(q, buf, sizeof(buf));
		return reply_str(&r->reply, buf);
	}
	if (r->argc == 2) {
		int ret = domain_quotas(r, r->argv[0], &q);
		if (ret)
			return ret;
	}
	if (quota_parse_name(q, r->argv[r->argc - 1], &item, &soft) != 0)
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%u", soft ? q->soft[item] : q->hard[item]);
	return reply_str(&r->reply, buf);
}

int op_set_quota(struct request *r)
{
	struct quotas *q = &r->d->quotas;
	enum quota_item item;
	bool soft;
	uint64_t val;

	if (r->argc == 3) {
		int ret = domain_quotas(r, r->argv[0], &q);
		if (ret)
			return ret;
	}
	if (quota_parse_name(q, r->argv[r->argc - 2], &item, &soft) != 0 ||
	    xs_parse_uint(r->argv[r->argc - 1], UINT32_MAX, &val) != 0)
		return -EINVAL;
	if (soft)
		q->soft[item] = (uint32_t)val;
	else
		q->hard[item] = (uint32_t)val;
	return reply_ok(&r->reply);
}

int op_restrict(struct request *r)
{
	uint32_t domid;

	if (parse_domid(r->argv[0], &domid) != 0)
		return -EINVAL;
	/* From now on this connection is domain domid, unprivileged. */
	r->conn->caller.domid = domid;
	r->conn->caller.privileged = false;
	r->conn->caller.target = ACL_NO_TARGET;
	return reply_ok(&r->reply);
}
