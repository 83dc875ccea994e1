/* SPDX-License-Identifier: MIT */
/*
 * Domains: what the daemon knows of each guest - whether it is introduced,
 * its ring page and event channel, its ring connection, its target and
 * features - and the life cycle driven by INTRODUCE, RELEASE, RESUME and
 * the hypervisor's reports of shut down and destroyed domains.
 *
 * Owns struct domain.  Talks to the hypervisor only through the backend
 * (backend.h), to the store only through views, and fires the special
 * watches through dispatch.  The connection of an introduced domain is an
 * ordinary struct conn over transport_ring.c.
 *
 * Domain id reuse (XSA-322): every domain struct records the store
 * generation at which this incarnation became known; a permission entry
 * naming a domain counts only if that domain is known and was already known
 * when the node's permissions were set.  A later domain reusing the id
 * therefore inherits nothing.
 */
#ifndef XS_DAEMON_DOMAIN_H
#define XS_DAEMON_DOMAIN_H

#include <stdbool.h>
#include <stdint.h>

#include "acl.h"
#include "backend.h"
#include "quota.h"

struct daemon;
struct conn;

/* DOMID_FIRST_RESERVED: ids from here on are not real domains. */
#define DOMID_RESERVED 0x7ff0u

/* Server features (ring page bitmap; GET_FEATURE/SET_FEATURE). */
#define DOMAIN_FEATURES_ALL 7u /* reconnection, error indicator, watch depth */

struct domain {
	struct domain *next, *prev;	/* all known domains */
	uint32_t domid;
	uint64_t known_gen;		/* store generation when it became known */
	bool introduced;		/* INTRODUCEd, not RELEASEd or dead */
	bool shutdown_reported;		/* @releaseDomain fired for a shutdown */
	uint64_t gfn;
	uint32_t remote_port;
	int local_port;			/* -1 when not bound */
	void *ring;			/* mapped ring page, or NULL */
	struct conn *conn;		/* ring connection, or NULL */
	uint32_t target;		/* SET_TARGET, or ACL_NO_TARGET */
	uint32_t features;		/* DOMAIN_FEATURES_* offered to it */
	/* SET_QUOTA for this domain: values where the bit of the item is
	 * set in quota_set_hard/soft, the global setting elsewhere. */
	struct quotas quota_override;
	uint32_t quota_set_hard, quota_set_soft;
};

struct domains {
	struct domain **by_id;		/* PERM_DOMID_MAX + 1 entries */
	struct domain *list;
	struct backend *backend;	/* NULL: no hypervisor (socket only) */
	struct domain **by_port;	/* local port -> domain */
	int nports;
	bool keep_orphans;		/* -K: do not delete a dead domain's nodes */
};

int domains_init(struct domains *ds, struct backend *backend);
void domains_release(struct daemon *d);

/* The domain struct for domid, or NULL. */
struct domain *domain_get(const struct domains *ds, uint32_t domid);

/*
 * The struct for domid, made if the hypervisor says the domain exists
 * (without a hypervisor every id below DOMID_RESERVED exists).
 * -ENOENT when it does not.
 */
int domain_get_or_make(struct daemon *d, uint32_t domid, struct domain **out);

/* Whether a permission entry naming domid counts on a node whose
 * permissions were set at generation pgen (acl.h's validity callback). */
bool domain_entry_valid(const void *ds, uint32_t domid, uint64_t pgen);

/* Request handlers' work, returning 0 or -errno. */
int domain_introduce(struct daemon *d, uint32_t domid, uint64_t gfn,
		     uint32_t port);
int domain_release(struct daemon *d, uint32_t domid);
int domain_resume(struct daemon *d, uint32_t domid);
int domain_set_target(struct daemon *d, uint32_t domid, uint32_t target);
bool domain_is_introduced(const struct daemon *d, uint32_t domid);

/* The backend's fd is readable: handle everything pending. */
void domains_backend_event(struct daemon *d);

/* Re-check every domain with the hypervisor (VIRQ_DOM_EXC). */
void domains_check(struct daemon *d);

/* Caller identity of a connection for domid. */
struct caller domain_caller(const struct domains *ds, uint32_t domid);

/*
 * Live update and state import: make (or update) the struct of a domain
 * as saved, without firing @introduceDomain.  With map_ring, an introduced
 * domain's ring page is mapped and its event channel bound again (the
 * page itself is left as it is); its connection is made by the caller.
 * -ENOENT when the hypervisor no longer has the domain.
 */
struct domain_image {
	uint32_t domid;
	uint64_t known_gen;
	bool introduced, shutdown_reported;
	uint64_t gfn;
	uint32_t remote_port;
	uint32_t target;
	uint32_t features;
};
int domain_restore(struct daemon *d, const struct domain_image *img,
		   bool map_ring, struct domain **out);

#endif
