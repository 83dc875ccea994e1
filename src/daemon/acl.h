/* SPDX-License-Identifier: MIT */
/*
 * Who is asking, and what a node's permission list lets them do.
 * Pure functions over a caller and a permission list; no state.
 */
#ifndef XS_DAEMON_ACL_H
#define XS_DAEMON_ACL_H

#include <stdbool.h>
#include <stdint.h>

#include "common/perms.h"

#define ACL_NO_TARGET UINT32_MAX
/* Returned with PERM_READ/PERM_WRITE to callers that own the node. */
#define ACL_OWNER 0x4u

struct caller {
	uint32_t domid;	     /* domain the connection belongs to */
	uint32_t target;     /* domain it may act for (SET_TARGET), or ACL_NO_TARGET */
	bool privileged;     /* dom0 and its sockets: passes every check */
	uint32_t features;   /* server features the connection may use */
};

/*
 * Which entries of a permission list still count (XSA-322): valid(ctx,
 * domid, pgen) says whether an entry naming domid counts on a node whose
 * permissions were set at generation pgen.
 */
struct acl_check {
	bool (*valid)(const void *ctx, uint32_t domid, uint64_t pgen);
	const void *ctx;
	uint64_t pgen;
};

/*
 * Access bits (PERM_READ, PERM_WRITE, ACL_OWNER) the caller has on a node
 * with this permission list.  Privileged callers, the owner and a domain
 * targeting the owner get everything; otherwise the first entry naming the
 * caller (or its target) decides, else the owner entry's default.  Entries
 * marked PERM_IGNORE, or that chk (may be NULL) says no longer count, never
 * match.
 */
unsigned int acl_access(const struct caller *c, const struct xs_perm *perms,
			uint32_t nperms, const struct acl_check *chk);

#endif
