/* SPDX-License-Identifier: MIT */
/* Per-domain accounting and quota decisions; see acct.h. */
#include "acct.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/perms.h"
#include "conn.h"
#include "daemon.h"
#include "domain.h"
#include "log.h"
#include "txn.h"
#include "watch.h"

int acct_init(struct acct *a)
{
	a->by_id = calloc(PERM_DOMID_MAX + 1, sizeof(*a->by_id));
	a->soft_warned = calloc(PERM_DOMID_MAX + 1, sizeof(*a->soft_warned));
	a->wrl = calloc(PERM_DOMID_MAX + 1, sizeof(*a->wrl));
	if (!a->by_id || !a->soft_warned || !a->wrl) {
		acct_release(a);
		return -ENOMEM;
	}
	return 0;
}

void acct_release(struct acct *a)
{
	free(a->by_id);
	free(a->soft_warned);
	free(a->wrl);
	a->by_id = NULL;
	a->soft_warned = NULL;
	a->wrl = NULL;
}

static void usage_add(struct usage *u, const struct usage *delta, int sign)
{
	u->watches += sign * delta->watches;
	u->txns += sign * delta->txns;
	u->outstanding += sign * delta->outstanding;
	u->bytes += sign * delta->bytes;
}

void acct_add(struct conn *c, const struct usage *delta)
{
	c->d->acct.txns += delta->txns;
	usage_add(&c->use, delta, 1);
	if (c->caller.domid <= PERM_DOMID_MAX)
		usage_add(&c->d->acct.by_id[c->caller.domid], delta, 1);
}

void acct_move(struct conn *c, uint32_t domid)
{
	struct usage *by_id = c->d->acct.by_id;

	if (c->caller.domid <= PERM_DOMID_MAX)
		usage_add(&by_id[c->caller.domid], &c->use, -1);
	if (domid <= PERM_DOMID_MAX)
		usage_add(&by_id[domid], &c->use, 1);
}

struct usage acct_usage(const struct daemon *d, uint32_t domid)
{
	struct usage none = {0, 0, 0, 0};

	return domid <= PERM_DOMID_MAX ? d->acct.by_id[domid] : none;
}

uint64_t acct_memory(const struct daemon *d, uint32_t domid)
{
	struct usage u = acct_usage(d, domid);

	return store_owner_bytes(&d->store, domid) + (uint64_t)u.bytes;
}

static uint32_t effective(uint32_t v)
{
	return v == QUOTA_DISABLED ? 0 : v;
}

uint32_t quota_for(const struct daemon *d, uint32_t domid, enum quota_item item)
{
	const struct domain *dom = domain_get(&d->domains, domid);

	if (dom && (dom->quota_set_hard & (1u << item)))
		return effective(dom->quota_override.hard[item]);
	return effective(d->quotas.hard[item]);
}

uint32_t quota_soft_for(const struct daemon *d, uint32_t domid,
			enum quota_item item)
{
	const struct domain *dom = domain_get(&d->domains, domid);

	if (dom && (dom->quota_set_soft & (1u << item)))
		return effective(dom->quota_override.soft[item]);
	return effective(d->quotas.soft[item]);
}

int quota_domain_set(struct daemon *d, uint32_t domid, enum quota_item item,
		     bool soft, uint32_t value)
{
	struct domain *dom = domain_get(&d->domains, domid);

	if (!dom)
		return -ENOENT;
	if (soft) {
		dom->quota_override.soft[item] = value;
		dom->quota_set_soft |= 1u << item;
	} else {
		dom->quota_override.hard[item] = value;
		dom->quota_set_hard |= 1u << item;
	}
	return 0;
}

int quota_domain_get(const struct daemon *d, uint32_t domid,
		     enum quota_item item, bool soft, uint32_t *value)
{
	const struct domain *dom = domain_get(&d->domains, domid);

	if (!dom)
		return -ENOENT;
	if (soft)
		*value = dom->quota_set_soft & (1u << item)
				 ? dom->quota_override.soft[item]
				 : d->quotas.soft[item];
	else
		*value = dom->quota_set_hard & (1u << item)
				 ? dom->quota_override.hard[item]
				 : d->quotas.hard[item];
	return 0;
}

bool quota_exceeded(struct daemon *d, const struct caller *who,
		    enum quota_item item, uint64_t value)
{
	uint32_t max;

	if (who->privileged)
		return false;
	max = quota_for(d, who->domid, item);
	if (!max || value <= max)
		return false;
	stats_quota_hit(d, who->domid, item, value, max);
	return true;
}

int acct_memory_reserve(struct daemon *d, const struct caller *who,
			uint64_t add)
{
	uint32_t domid = who->domid;
	uint64_t after;
	uint32_t soft;

	if (who->privileged || domid > PERM_DOMID_MAX)
		return 0;
	after = acct_memory(d, domid) + add;
	if (quota_exceeded(d, who, Q_MEMORY, after))
		return -ENOMEM;
	soft = quota_soft_for(d, domid, Q_MEMORY);
	if (soft && after > soft) {
		if (!d->acct.soft_warned[domid])
			log_msg(LOG_LVL_WARN,
				"domain %" PRIu32 " uses %" PRIu64
				" bytes, over its soft memory quota of %" PRIu32,
				domid, after, soft);
		d->acct.soft_warned[domid] = 1;
	} else {
		d->acct.soft_warned[domid] = 0;
	}
	return 0;
}

/* Domain domid's write credit brought up to now. */
static struct wrl *wrl_refill(struct acct *a, uint32_t domid)
{
	struct wrl *w = &a->wrl[domid];
	uint64_t now = daemon_now_ms();

	if (w->stamp_ms == 0) {
		w->credit = WRL_BURST_NEW * 1000;
	} else if (now > w->stamp_ms) {
		int64_t gained = (int64_t)(now - w->stamp_ms) * WRL_RATE;
		int64_t cap = w->credit > WRL_BURST * 1000 ? w->credit
							   : WRL_BURST * 1000;
		w->credit = w->credit + gained > cap ? cap : w->credit + gained;
	}
	w->stamp_ms = now ? now : 1;
	return w;
}

void acct_write_debit(struct conn *c)
{
	uint32_t domid = c->caller.domid;

	if (c->caller.privileged || domid > PERM_DOMID_MAX || !c->d->acct.txns)
		return;
	wrl_refill(&c->d->acct, domid)->credit -= 1000;
}

bool acct_must_wait(const struct conn *c)
{
	const struct daemon *d = c->d;
	uint32_t domid = c->caller.domid;
	uint32_t max;

	if (c->caller.privileged || domid > PERM_DOMID_MAX)
		return false;
	max = quota_for(d, domid, Q_OUTSTANDING);
	if (max && (uint64_t)d->acct.by_id[domid].outstanding >= max)
		return true;
	/* Over the hard limit because of output it has not read yet: serve
	 * it again once that drained.  Memory held in nodes never stops
	 * service (it could never get under by removing them). */
	max = quota_for(d, domid, Q_MEMORY);
	if (max && c->out_head && acct_memory(d, domid) > max)
		return true;
	return d->acct.txns && wrl_refill(&c->d->acct, domid)->credit < 0;
}

uint64_t watch_charge_of(const char *path, const char *token)
{
	return sizeof(struct watch) + strlen(path) + strlen(token) + 2;
}

/* What c's objects say its usage is. */
static void usage_of_conn(const struct conn *c, struct usage *u)
{
	memset(u, 0, sizeof(*u));
	for (const struct watch *w = c->watches; w; w = w->onext) {
		u->watches++;
		u->bytes += (int64_t)watch_charge_of(w->path, w->token);
	}
	for (const struct txn *t = c->txns; t; t = t->next) {
		u->txns++;
		u->bytes += (int64_t)t->charged;
	}
	for (const struct outbuf *o = c->out_head; o; o = o->next) {
		if (!o->is_event)
			u->outstanding++;
		u->bytes += (int64_t)(sizeof(*o) + o->len);
	}
}

static int drift(char *msg, size_t size, const char *who, uint32_t id,
		 const struct usage *want, const struct usage *have)
{
	snprintf(msg, size,
		 "%s %" PRIu32 ": watches %" PRId64 "/%" PRId64
		 ", transactions %" PRId64 "/%" PRId64
		 ", outstanding %" PRId64 "/%" PRId64 ", bytes %" PRId64
		 "/%" PRId64 " (recomputed/counted)",
		 who, id, want->watches, have->watches, want->txns, have->txns,
		 want->outstanding, have->outstanding, want->bytes, have->bytes);
	return -EIO;
}

static bool usage_equal(const struct usage *a, const struct usage *b)
{
	return a->watches == b->watches && a->txns == b->txns &&
	       a->outstanding == b->outstanding && a->bytes == b->bytes;
}

int acct_check(const struct daemon *d, char *msg, size_t msgsize)
{
	struct usage *sums = calloc(PERM_DOMID_MAX + 1, sizeof(*sums));
	int ret = 0;

	if (!sums) {
		snprintf(msg, msgsize, "out of memory");
		return -ENOMEM;
	}
	for (const struct conn *c = d->conns; c; c = c->next) {
		struct usage u;
		usage_of_conn(c, &u);
		if (!usage_equal(&u, &c->use)) {
			ret = drift(msg, msgsize, "connection", c->id, &u, &c->use);
			goto out;
		}
		if ((uint32_t)c->nwatches != u.watches || c->ntxns != u.txns) {
			snprintf(msg, msgsize, "connection %" PRIu32
				 ": watch/transaction counts wrong", c->id);
			ret = -EIO;
			goto out;
		}
		if (c->caller.domid <= PERM_DOMID_MAX)
			usage_add(&sums[c->caller.domid], &u, 1);
	}
	for (uint32_t id = 0; id <= PERM_DOMID_MAX; id++) {
		if (!usage_equal(&sums[id], &d->acct.by_id[id])) {
			ret = drift(msg, msgsize, "domain", id, &sums[id],
				    &d->acct.by_id[id]);
			goto out;
		}
	}
	snprintf(msg, msgsize, "OK");
out:
	free(sums);
	return ret;
}
