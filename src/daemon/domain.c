/* SPDX-License-Identifier: MIT */
/*
 * Domains and their life cycle; see domain.h.
 *
 * Design note on death.  The hypervisor's "domains changed" interrupt
 * (BACKEND_VIRQ) makes domains_check() ask the backend about every known
 * domain, in one pass.  A domain that shut down fires @releaseDomain once
 * (RESUME re-arms it); a destroyed one loses its connection (watches,
 * transactions, queued output), by default every node it owns (XSA-419:
 * found through the store's per-owner lists, not a tree walk), and its
 * struct - so permission entries naming it stop counting, and a new domain
 * with the same id starts with a later known_gen (XSA-322).  A connection
 * cut off for a protocol error leaves the domain itself in place
 * (XSA-325): only the hypervisor's word ends a domain.
 */
#include "domain.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "changes.h"
#include "common/path.h"
#include "conn.h"
#include "daemon.h"
#include "dispatch.h"
#include "journal.h"
#include "log.h"
#include "store.h"
#include "transport_ring.h"
#include "view.h"

/* Notifications handled per wake-up: a storm cannot hold the loop. */
#define EVENTS_PER_ROUND 256

int domains_init(struct domains *ds, struct backend *backend)
{
	memset(ds, 0, sizeof(*ds));
	ds->backend = backend;
	ds->by_id = calloc(PERM_DOMID_MAX + 1, sizeof(*ds->by_id));
	return ds->by_id ? 0 : -ENOMEM;
}

struct domain *domain_get(const struct domains *ds, uint32_t domid)
{
	return domid <= PERM_DOMID_MAX ? ds->by_id[domid] : NULL;
}

static bool exists_in_hypervisor(const struct domains *ds, uint32_t domid)
{
	if (domid >= DOMID_RESERVED)
		return false;
	if (!ds->backend || domid == 0)
		return true;
	return ds->backend->ops->domain_state(ds->backend, domid) != DOMAIN_DEAD;
}

int domain_get_or_make(struct daemon *d, uint32_t domid, struct domain **out)
{
	struct domains *ds = &d->domains;
	struct domain *dom = domain_get(ds, domid);

	if (dom) {
		*out = dom;
		return 0;
	}
	if (!exists_in_hypervisor(ds, domid))
		return -ENOENT;
	dom = calloc(1, sizeof(*dom));
	if (!dom)
		return -ENOMEM;
	dom->domid = domid;
	/* A generation of its own: permissions set before this instant,
	 * even with no change to the tree since, never name it (XSA-322). */
	dom->known_gen = ++d->store.gen;
	dom->local_port = -1;
	dom->target = ACL_NO_TARGET;
	dom->features = DOMAIN_FEATURES_ALL;
	dom->next = ds->list;
	if (ds->list)
		ds->list->prev = dom;
	ds->list = dom;
	ds->by_id[domid] = dom;
	*out = dom;
	journal_domain(d, dom);
	return 0;
}

bool domain_entry_valid(const void *ctx, uint32_t domid, uint64_t pgen)
{
	const struct domains *ds = ctx;
	const struct domain *dom = domain_get(ds, domid);

	if (domid == 0)
		return true;
	return dom && dom->known_gen <= pgen;
}

struct caller domain_caller(const struct domains *ds, uint32_t domid)
{
	const struct domain *dom = domain_get(ds, domid);
	struct caller who = {
		.domid = domid,
		.target = dom ? dom->target : ACL_NO_TARGET,
		.privileged = domid == 0,
		.features = dom ? dom->features : DOMAIN_FEATURES_ALL,
	};
	return who;
}

static int port_register(struct domains *ds, struct domain *dom)
{
	int port = dom->local_port;

	if (port >= ds->nports) {
		int n = port + 64;
		struct domain **np = realloc(ds->by_port, (size_t)n * sizeof(*np));
		if (!np)
			return -ENOMEM;
		memset(np + ds->nports, 0, (size_t)(n - ds->nports) * sizeof(*np));
		ds->by_port = np;
		ds->nports = n;
	}
	ds->by_port[port] = dom;
	return 0;
}

/* Drop the ring: connection, event channel, mapping. */
static void disconnect(struct daemon *d, struct domain *dom)
{
	struct backend *b = d->domains.backend;

	if (dom->conn)
		conn_close(dom->conn, "domain disconnected");
	dom->conn = NULL;
	if (dom->local_port >= 0) {
		if (dom->local_port < d->domains.nports)
			d->domains.by_port[dom->local_port] = NULL;
		b->ops->unbind(b, dom->local_port);
		dom->local_port = -1;
	}
	if (dom->ring) {
		b->ops->unmap_ring(b, dom->domid, dom->ring);
		dom->ring = NULL;
	}
	dom->introduced = false;
}

int domain_introduce(struct daemon *d, uint32_t domid, uint64_t gfn,
		     uint32_t port)
{
	struct backend *b = d->domains.backend;
	struct domain *dom;
	int ret;

	if (domid == 0 || domid >= DOMID_RESERVED || !b)
		return -EINVAL;
	ret = domain_get_or_make(d, domid, &dom);
	if (ret)
		return ret == -ENOENT ? -EINVAL : ret;
	if (dom->introduced) {
		/* Again (resume, restore): same ring, maybe a new channel. */
		if (gfn != dom->gfn)
			return -EINVAL;
		if (port == dom->remote_port)
			return 0;
		int local = b->ops->bind(b, domid, port);
		if (local < 0)
			return local;
		d->domains.by_port[dom->local_port] = NULL;
		b->ops->unbind(b, dom->local_port);
		dom->local_port = local;
		dom->remote_port = port;
		journal_domain(d, dom);
		return port_register(&d->domains, dom);
	}
	ret = b->ops->map_ring(b, domid, gfn, &dom->ring);
	if (ret)
		return ret;
	dom->gfn = gfn;
	dom->local_port = b->ops->bind(b, domid, port);
	if (dom->local_port < 0) {
		ret = dom->local_port;
		dom->local_port = -1;
		disconnect(d, dom);
		return ret;
	}
	dom->remote_port = port;
	ret = port_register(&d->domains, dom);
	if (ret == 0 && !ring_conn_new(d, dom))
		ret = -ENOMEM;
	if (ret) {
		disconnect(d, dom);
		return ret;
	}
	ring_set_features(dom, dom->features);
	dom->introduced = true;
	dom->shutdown_reported = false;
	journal_domain(d, dom);
	/* A reconnection request or requests written before we listened. */
	ring_domain_event(d, dom);
	log_msg(LOG_LVL_INFO, "domain %u introduced", domid);
	req_fire_special(d, SPECIAL_INTRODUCE, domid);
	return 0;
}

int domain_release(struct daemon *d, uint32_t domid)
{
	struct domain *dom = domain_get(&d->domains, domid);

	if (!dom || !dom->introduced)
		return -ENOENT;
	disconnect(d, dom);
	journal_domain(d, dom);
	log_msg(LOG_LVL_INFO, "domain %u released", domid);
	req_fire_special(d, SPECIAL_RELEASE, domid);
	return 0;
}

int domain_resume(struct daemon *d, uint32_t domid)
{
	struct domain *dom = domain_get(&d->domains, domid);

	if (!dom || !dom->introduced)
		return -ENOENT;
	dom->shutdown_reported = false;
	return 0;
}

int domain_set_target(struct daemon *d, uint32_t domid, uint32_t target)
{
	struct domain *dom, *tdom;
	int ret = domain_get_or_make(d, domid, &dom);

	if (ret)
		return ret;
	ret = domain_get_or_make(d, target, &tdom);
	if (ret)
		return ret;
	dom->target = target;
	journal_domain(d, dom);
	/* Every connection of that domain acts for the target from now on. */
	for (struct conn *c = d->conns; c; c = c->next)
		if (c->caller.domid == domid && !c->caller.privileged)
			c->caller.target = target;
	return 0;
}

bool domain_is_introduced(const struct daemon *d, uint32_t domid)
{
	const struct domain *dom = domain_get(&d->domains, domid);

	return domid == 0 || (dom && dom->introduced);
}

/*
 * Remove every node domid owns, firing watches as any removal does: each
 * maximal owned subtree once, from its top (an owned node whose parent
 * someone else owns), as the reference does - not node by node.
 */
static void remove_owned_nodes(struct daemon *d, uint32_t domid)
{
	struct changes ch;
	struct view v = {.store = &d->store, .txn = NULL, .changes = &ch};
	char path[PATH_BUF_SIZE];
	struct node *n;

	changes_init(&ch, false);
	while ((n = store_owned_node(&d->store, domid)) != NULL) {
		while (n->parent && n->parent->parent &&
		       n->parent->perms[0].domid == domid)
			n = n->parent;
		if (!store_path(n, path, sizeof(path)) || view_rm(&v, path) != 0)
			break;
	}
	req_fire_changes(d, &ch);
	changes_release(&ch);
}

static void destroyed(struct daemon *d, struct domain *dom)
{
	bool was_introduced = dom->introduced;
	uint32_t domid = dom->domid;

	disconnect(d, dom);
	if (!d->domains.keep_orphans)
		remove_owned_nodes(d, domid);
	if (dom->prev)
		dom->prev->next = dom->next;
	else
		d->domains.list = dom->next;
	if (dom->next)
		dom->next->prev = dom->prev;
	d->domains.by_id[domid] = NULL;
	free(dom);
	journal_domain_gone(d, domid);
	log_msg(LOG_LVL_INFO, "domain %u destroyed", domid);
	if (was_introduced)
		req_fire_special(d, SPECIAL_RELEASE, domid);
}

void domains_check(struct daemon *d)
{
	struct backend *b = d->domains.backend;

	if (!b)
		return;
	for (struct domain *dom = d->domains.list, *next; dom; dom = next) {
		next = dom->next;
		if (dom->domid == 0)
			continue;
		enum domain_state st = b->ops->domain_state(b, dom->domid);
		if (st == DOMAIN_DEAD) {
			destroyed(d, dom);
		} else if (st == DOMAIN_SHUTDOWN && dom->introduced &&
			   !dom->shutdown_reported) {
			dom->shutdown_reported = true;
			log_msg(LOG_LVL_INFO, "domain %u shut down", dom->domid);
			req_fire_special(d, SPECIAL_RELEASE, dom->domid);
		}
	}
	/* Outside any request: the events just queued may leave from this
	 * very handler (a guest's notification flushes its ring), so the
	 * removals they announce go to the journal now. */
	journal_commit(d);
}

void domains_backend_event(struct daemon *d)
{
	struct backend *b = d->domains.backend;

	for (int i = 0; i < EVENTS_PER_ROUND; i++) {
		int port = b->ops->pending(b);
		if (port == -EAGAIN || (port < 0 && port != BACKEND_VIRQ))
			break;
		if (port == BACKEND_VIRQ) {
			domains_check(d);
			continue;
		}
		if (port < d->domains.nports && d->domains.by_port[port])
			ring_domain_event(d, d->domains.by_port[port]);
	}
}

void domains_release(struct daemon *d)
{
	struct domains *ds = &d->domains;

	while (ds->list) {
		struct domain *dom = ds->list;
		ds->list = dom->next;
		if (ds->backend)
			disconnect(d, dom);
		free(dom);
	}
	free(ds->by_id);
	free(ds->by_port);
	if (ds->backend)
		ds->backend->ops->close(ds->backend);
	memset(ds, 0, sizeof(*ds));
}

int domain_restore(struct daemon *d, const struct domain_image *img,
		   bool map_ring, struct domain **out)
{
	struct backend *b = d->domains.backend;
	struct domain *dom;
	int ret = domain_get_or_make(d, img->domid, &dom);

	if (ret)
		return ret;
	dom->known_gen = img->known_gen;
	dom->target = img->target;
	dom->features = img->features;
	dom->shutdown_reported = img->shutdown_reported;
	*out = dom;
	if (!img->introduced || !map_ring || dom->introduced)
		return 0;
	if (!b)
		return -ENODEV;
	ret = b->ops->map_ring(b, img->domid, img->gfn, &dom->ring);
	if (ret)
		return ret;
	dom->gfn = img->gfn;
	dom->local_port = b->ops->bind(b, img->domid, img->remote_port);
	if (dom->local_port < 0) {
		ret = dom->local_port;
		dom->local_port = -1;
		disconnect(d, dom);
		return ret;
	}
	dom->remote_port = img->remote_port;
	ret = port_register(&d->domains, dom);
	if (ret) {
		disconnect(d, dom);
		return ret;
	}
	dom->introduced = true;
	return 0;
}
