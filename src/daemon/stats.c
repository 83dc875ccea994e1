/* SPDX-License-Identifier: MIT */
/*
 * Live statistics; see stats.h.  Counting is a few increments on the
 * request path; everything else is computed when CONTROL stats asks.
 */
#include "stats.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conn.h"
#include "daemon.h"
#include "dispatch.h"
#include "json.h"
#include "log.h"

#define ERR_NAME(e) #e,
static const char *const err_names[STATS_ERR_COUNT] = {XS_ERRORS(ERR_NAME)};
#undef ERR_NAME

/* Room kept after the last element of a page for its closing and "next". */
#define PAGE_TAIL 32

void stats_count_request(struct daemon_stats *s, uint32_t type)
{
	if (type < XS_TYPE_COUNT)
		s->requests[type]++;
	else
		s->requests_unknown++;
}

void stats_count_error(struct daemon_stats *s, const char *name)
{
	for (size_t i = 0; i < STATS_ERR_COUNT; i++) {
		if (strcmp(err_names[i], name) == 0) {
			s->errors[i]++;
			return;
		}
	}
}

void stats_quota_hit(struct daemon *d, uint32_t domid, enum quota_item item,
		     uint64_t value, uint32_t limit)
{
	d->stats.quota_hits[item]++;
	log_limited(LOG_LVL_WARN, domid, LOG_KIND_QUOTA + (unsigned int)item,
		    "domain %" PRIu32 " hit its %s quota: %" PRIu64
		    " wanted, limit %" PRIu32,
		    domid, quota_name(item), value, limit);
}

void stats_quota_wait(struct conn *c)
{
	struct daemon *d = c->d;
	uint32_t domid = c->caller.domid;
	struct usage u = acct_usage(d, domid);
	uint32_t max = quota_for(d, domid, Q_OUTSTANDING);

	/* acct_must_wait()'s reasons, in its order. */
	if (max && (uint64_t)u.outstanding >= max) {
		stats_quota_hit(d, domid, Q_OUTSTANDING, (uint64_t)u.outstanding + 1,
				max);
		return;
	}
	max = quota_for(d, domid, Q_MEMORY);
	uint64_t mem = acct_memory(d, domid);
	if (max && c->out_head && mem > max) {
		stats_quota_hit(d, domid, Q_MEMORY, mem, max);
		return;
	}
	/* Otherwise the write rate while transactions are open: no quota
	 * item of its own. */
	log_limited(LOG_LVL_INFO, domid, LOG_KIND_WRITE_RATE,
		    "domain %" PRIu32 " held back: writing too fast while "
		    "transactions are open", domid);
}

/* "key": [used, limit] */
static void pair(struct json *j, const char *key, uint64_t used, uint32_t limit)
{
	json_array_begin(j, key);
	json_uint(j, NULL, used);
	json_uint(j, NULL, limit);
	json_array_end(j);
}

static int finish(struct json *j)
{
	return json_overflowed(j) ? -E2BIG : 0;
}

int stats_global(struct daemon *d, char *buf, size_t size)
{
	struct json j;
	uint64_t sockets = 0, rings = 0, others = 0, watches = 0, txns = 0;
	uint64_t out_bytes = 0, max_events = 0, max_bytes = 0;
	uint32_t max_events_conn = 0, max_bytes_conn = 0;
	uint64_t domains = 0, introduced = 0;
	time_t now = time(NULL);

	for (const struct conn *c = d->conns; c; c = c->next) {
		if (strcmp(c->ops->name, "socket") == 0)
			sockets++;
		else if (strcmp(c->ops->name, "ring") == 0)
			rings++;
		else
			others++;
		watches += c->nwatches;
		txns += c->ntxns;
		out_bytes += c->out_bytes;
		if (c->out_events > max_events) {
			max_events = c->out_events;
			max_events_conn = c->id;
		}
		if (c->out_bytes > max_bytes) {
			max_bytes = c->out_bytes;
			max_bytes_conn = c->id;
		}
	}
	for (const struct domain *dom = d->domains.list; dom; dom = dom->next) {
		domains++;
		introduced += dom->introduced;
	}

	json_init(&j, buf, size);
	json_object_begin(&j, NULL);
	json_uint(&j, "uptime", now > d->started ? (uint64_t)(now - d->started) : 0);
	json_object_begin(&j, "connections");
	json_uint(&j, "socket", sockets);
	json_uint(&j, "ring", rings);
	if (others)
		json_uint(&j, "other", others);
	json_uint(&j, "dropped", d->stats.conns_dropped);
	json_object_end(&j);
	json_object_begin(&j, "domains");
	json_uint(&j, "known", domains);
	json_uint(&j, "introduced", introduced);
	json_object_end(&j);
	json_uint(&j, "nodes", d->store.count);
	json_uint(&j, "watches", watches);
	json_uint(&j, "transactions", txns);

	json_object_begin(&j, "requests");
	for (uint32_t t = 0; t < XS_TYPE_COUNT; t++) {
		const char *name = dispatch_type_name(t);
		if (name)
			json_uint(&j, name, d->stats.requests[t]);
	}
	json_uint(&j, "unknown", d->stats.requests_unknown);
	json_object_end(&j);

	json_object_begin(&j, "errors");
	for (size_t i = 0; i < STATS_ERR_COUNT; i++)
		json_uint(&j, err_names[i], d->stats.errors[i]);
	json_object_end(&j);

	json_object_begin(&j, "watch_events");
	json_uint(&j, "sent", d->stats.events_sent);
	json_uint(&j, "dropped", d->stats.events_dropped);
	json_uint(&j, "queued", d->queued_events);
	json_object_end(&j);

	json_object_begin(&j, "output_queues");
	json_uint(&j, "bytes", out_bytes);
	json_uint(&j, "max_events", max_events);
	json_uint(&j, "max_events_conn", max_events_conn);
	json_uint(&j, "max_bytes", max_bytes);
	json_uint(&j, "max_bytes_conn", max_bytes_conn);
	json_object_end(&j);

	json_object_begin(&j, "quota_hits");
	for (int i = 0; i < Q_COUNT; i++)
		json_uint(&j, quota_name((enum quota_item)i), d->stats.quota_hits[i]);
	json_object_end(&j);
	json_object_end(&j);
	return finish(&j);
}

/* Whether domid is worth a line: known, or owning or using something. */
static bool domain_listed(const struct daemon *d, uint32_t domid)
{
	if (domain_get(&d->domains, domid))
		return true;
	if (store_owner_nodes(&d->store, domid))
		return true;
	struct usage u = acct_usage(d, domid);
	return u.watches || u.txns || u.outstanding || u.bytes;
}

/* A domain's usage against its quotas, as members of the open object. */
static void domain_members(struct json *j, struct daemon *d, uint32_t domid)
{
	const struct domain *dom = domain_get(&d->domains, domid);
	struct usage u = acct_usage(d, domid);

	json_uint(j, "domid", domid);
	json_bool(j, "introduced", domid == 0 || (dom && dom->introduced));
	pair(j, "nodes", store_owner_nodes(&d->store, domid),
	     quota_for(d, domid, Q_NODES));
	pair(j, "watches", (uint64_t)u.watches, quota_for(d, domid, Q_WATCHES));
	pair(j, "transactions", (uint64_t)u.txns,
	     quota_for(d, domid, Q_TRANSACTIONS));
	pair(j, "outstanding", (uint64_t)u.outstanding,
	     quota_for(d, domid, Q_OUTSTANDING));
	pair(j, "memory", acct_memory(d, domid), quota_for(d, domid, Q_MEMORY));
}

static void conn_object(struct json *j, const struct conn *c)
{
	json_object_begin(j, NULL);
	json_uint(j, "id", c->id);
	json_string(j, "kind", c->ops->name);
	json_uint(j, "domid", c->caller.domid);
	json_uint(j, "watches", c->nwatches);
	json_uint(j, "transactions", c->ntxns);
	json_uint(j, "queued_events", c->out_events);
	json_uint(j, "queued_bytes", c->out_bytes);
	json_object_end(j);
}

int stats_domain(struct daemon *d, uint32_t domid, char *buf, size_t size)
{
	struct json j;
	bool complete = true;

	if (domid > PERM_DOMID_MAX)
		return -ENOENT;
	bool found = domain_listed(d, domid);
	for (const struct conn *c = d->conns; c && !found; c = c->next)
		found = c->caller.domid == domid;
	if (!found)
		return -ENOENT;
	if (size <= PAGE_TAIL)
		return -E2BIG;
	json_init(&j, buf, size - PAGE_TAIL);
	json_object_begin(&j, NULL);
	domain_members(&j, d, domid);
	json_uint(&j, "memory_soft", quota_soft_for(d, domid, Q_MEMORY));
	json_array_begin(&j, "connections");
	if (json_overflowed(&j))
		return -E2BIG;
	for (const struct conn *c = d->conns; c; c = c->next) {
		if (c->caller.domid != domid)
			continue;
		struct json_mark m = json_mark(&j);
		conn_object(&j, c);
		if (json_overflowed(&j)) {
			json_rewind(&j, m);
			complete = false;
			break;
		}
	}
	j.cap = size;
	json_array_end(&j);
	json_bool(&j, "complete", complete);
	json_object_end(&j);
	return finish(&j);
}

/* Close a page: the list, and where the next page starts (or null). */
static int page_end(struct json *j, size_t size, bool more, uint32_t next)
{
	j->cap = size;
	json_array_end(j);
	if (more)
		json_uint(j, "next", next);
	else
		json_null(j, "next");
	json_object_end(j);
	return finish(j);
}

int stats_domains(struct daemon *d, uint32_t first, char *buf, size_t size)
{
	struct json j;
	size_t n = 0;

	if (size <= PAGE_TAIL)
		return -E2BIG;
	json_init(&j, buf, size - PAGE_TAIL);
	json_object_begin(&j, NULL);
	json_array_begin(&j, "domains");
	for (uint32_t id = first; id <= PERM_DOMID_MAX; id++) {
		if (!domain_listed(d, id))
			continue;
		struct json_mark m = json_mark(&j);
		json_object_begin(&j, NULL);
		domain_members(&j, d, id);
		json_object_end(&j);
		if (json_overflowed(&j)) {
			json_rewind(&j, m);
			return n ? page_end(&j, size, true, id) : -E2BIG;
		}
		n++;
	}
	return page_end(&j, size, false, 0);
}

static int cmp_conn_id(const void *a, const void *b)
{
	uint32_t x = (*(const struct conn *const *)a)->id;
	uint32_t y = (*(const struct conn *const *)b)->id;

	return x < y ? -1 : x > y;
}

int stats_conns(struct daemon *d, uint32_t first, char *buf, size_t size)
{
	struct json j;
	size_t count = 0, n = 0;
	int ret;

	if (size <= PAGE_TAIL)
		return -E2BIG;
	for (const struct conn *c = d->conns; c; c = c->next)
		count += c->id >= first;
	/* In id order, so pages follow each other whatever comes and goes. */
	const struct conn **v = calloc(count ? count : 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (const struct conn *c = d->conns; c; c = c->next)
		if (c->id >= first)
			v[n++] = c;
	qsort(v, n, sizeof(*v), cmp_conn_id);

	json_init(&j, buf, size - PAGE_TAIL);
	json_object_begin(&j, NULL);
	json_array_begin(&j, "connections");
	for (size_t i = 0; i < n; i++) {
		struct json_mark m = json_mark(&j);
		conn_object(&j, v[i]);
		if (json_overflowed(&j)) {
			json_rewind(&j, m);
			ret = i ? page_end(&j, size, true, v[i]->id) : -E2BIG;
			goto out;
		}
	}
	ret = page_end(&j, size, false, 0);
out:
	free(v);
	return ret;
}
