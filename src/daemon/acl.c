/* SPDX-License-Identifier: MIT */
/* Permission checks; see acl.h. */
#include "acl.h"

static bool names_caller(const struct caller *c, uint32_t domid)
{
	return domid == c->domid ||
	       (c->target != ACL_NO_TARGET && domid == c->target);
}

static bool counts(const struct xs_perm *p, const struct acl_check *chk)
{
	if (p->access & PERM_IGNORE)
		return false;
	return !chk || chk->valid(chk->ctx, p->domid, chk->pgen);
}

unsigned int acl_access(const struct caller *c, const struct xs_perm *perms,
			uint32_t nperms, const struct acl_check *chk)
{
	const unsigned int all = PERM_READ | PERM_WRITE | ACL_OWNER;

	if (c->privileged)
		return all;
	if (names_caller(c, perms[0].domid) && counts(&perms[0], chk))
		return all;
	for (uint32_t i = 1; i < nperms; i++) {
		if (names_caller(c, perms[i].domid) && counts(&perms[i], chk))
			return perms[i].access & PERM_BOTH;
	}
	return perms[0].access & PERM_BOTH;
}
