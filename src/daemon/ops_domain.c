/* SPDX-License-Identifier: MIT */
/*
 * Domain requests: INTRODUCE, RELEASE, RESUME, SET_TARGET,
 * IS_DOMAIN_INTRODUCED, GET_DOMAIN_PATH, RESTRICT, GET/SET_FEATURE and
 * GET/SET_QUOTA.  Argument parsing here; the work is domain.c's.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/codec.h"
#include "common/path.h"
#include "conn.h"
#include "daemon.h"
#include "domain.h"
#include "journal.h"
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
	return reply_str(&r->reply, domain_is_introduced(r->d, domid) ? "T" : "F");
}

/* Xen writes the frame number in signed decimal; take it either way. */
static int parse_gfn(const char *text, uint64_t *gfn)
{
	uint64_t v;

	if (text[0] == '-') {
		if (xs_parse_uint(text + 1, (uint64_t)INT64_MAX, &v) != 0)
			return -EINVAL;
		*gfn = (uint64_t)(-(int64_t)v);
		return 0;
	}
	return xs_parse_uint(text, UINT64_MAX, gfn);
}

int op_introduce(struct request *r)
{
	uint32_t domid;
	uint64_t gfn, port;

	if (parse_domid(r->argv[0], &domid) != 0 || parse_gfn(r->argv[1], &gfn) != 0 ||
	    xs_parse_uint(r->argv[2], UINT32_MAX, &port) != 0)
		return -EINVAL;
	int ret = domain_introduce(r->d, domid, gfn, (uint32_t)port);
	return ret ? ret : reply_ok(&r->reply);
}

int op_release(struct request *r)
{
	uint32_t domid;

	if (parse_domid(r->argv[0], &domid) != 0)
		return -EINVAL;
	int ret = domain_release(r->d, domid);
	return ret ? ret : reply_ok(&r->reply);
}

int op_resume(struct request *r)
{
	uint32_t domid;

	if (parse_domid(r->argv[0], &domid) != 0)
		return -EINVAL;
	int ret = domain_resume(r->d, domid);
	return ret ? ret : reply_ok(&r->reply);
}

int op_set_target(struct request *r)
{
	uint32_t domid, target;

	if (parse_domid(r->argv[0], &domid) != 0 ||
	    parse_domid(r->argv[1], &target) != 0)
		return -EINVAL;
	int ret = domain_set_target(r->d, domid, target);
	return ret ? ret : reply_ok(&r->reply);
}

int op_get_feature(struct request *r)
{
	char buf[16];
	uint32_t features = DOMAIN_FEATURES_ALL;

	if (r->argc == 1) {
		uint32_t domid;
		struct domain *dom;
		if (parse_domid(r->argv[0], &domid) != 0)
			return -EINVAL;
		int ret = domain_get_or_make(r->d, domid, &dom);
		if (ret)
			return ret;
		features = dom->features;
	}
	snprintf(buf, sizeof(buf), "%u", features);
	return reply_str(&r->reply, buf);
}

int op_set_feature(struct request *r)
{
	uint32_t domid;
	uint64_t v;
	struct domain *dom;

	if (parse_domid(r->argv[0], &domid) != 0 ||
	    xs_parse_uint(r->argv[1], UINT32_MAX, &v) != 0 ||
	    (v & ~(uint64_t)DOMAIN_FEATURES_ALL))
		return -EINVAL;
	int ret = domain_get_or_make(r->d, domid, &dom);
	if (ret)
		return ret;
	dom->features = (uint32_t)v;
	if (dom->conn)
		dom->conn->caller.features = dom->features;
	journal_domain(r->d, dom);
	return reply_ok(&r->reply);
}

/*
 * GET_QUOTA [<domid>] <name>: the global value, or the one in force for a
 * known domain; without arguments, the names.
 */
int op_get_quota(struct request *r)
{
	struct quotas *q = &r->d->quotas;
	enum quota_item item;
	bool soft;
	uint32_t domid, value;
	char buf[XS_PAYLOAD_MAX];

	if (r->argc == 0) {
		quota_names(q, buf, sizeof(buf));
		return reply_str(&r->reply, buf);
	}
	if (quota_parse_name(q, r->argv[r->argc - 1], &item, &soft) != 0)
		return -EINVAL;
	value = soft ? q->soft[item] : q->hard[item];
	if (r->argc == 2) {
		if (parse_domid(r->argv[0], &domid) != 0)
			return -EINVAL;
		int ret = quota_domain_get(r->d, domid, item, soft, &value);
		if (ret)
			return ret;
	}
	snprintf(buf, sizeof(buf), "%u", value);
	return reply_str(&r->reply, buf);
}

/* SET_QUOTA [<domid>] <name> <value>: globally, or for one known domain. */
int op_set_quota(struct request *r)
{
	struct quotas *q = &r->d->quotas;
	enum quota_item item;
	bool soft;
	uint32_t domid;
	uint64_t val;

	if (quota_parse_name(q, r->argv[r->argc - 2], &item, &soft) != 0 ||
	    xs_parse_uint(r->argv[r->argc - 1], UINT32_MAX, &val) != 0)
		return -EINVAL;
	if (r->argc == 3) {
		if (parse_domid(r->argv[0], &domid) != 0)
			return -EINVAL;
		int ret = quota_domain_set(r->d, domid, item, soft, (uint32_t)val);
		if (ret)
			return ret;
		journal_domain(r->d, domain_get(&r->d->domains, domid));
	} else if (soft) {
		q->soft[item] = (uint32_t)val;
	} else {
		q->hard[item] = (uint32_t)val;
	}
	return reply_ok(&r->reply);
}

int op_restrict(struct request *r)
{
	uint32_t domid;

	if (parse_domid(r->argv[0], &domid) != 0)
		return -EINVAL;
	/* From now on this connection is domain domid, unprivileged. */
	struct domain *dom;
	int ret = domain_get_or_make(r->d, domid, &dom);
	if (ret)
		return ret;
	acct_move(r->conn, domid);
	r->conn->caller = domain_caller(&r->d->domains, domid);
	r->conn->caller.privileged = false;
	return reply_ok(&r->reply);
}
