/* SPDX-License-Identifier: MIT */
/* Permission checks; see acl.h. */
#include "acl.h"

static bool names_caller(const struct caller *c, uint32_t domid)
{
	return domid == c->domid ||
	       (c->target != ACL_NO_TARGET && domid == c->target);
}

unsigned int acl_access(const struct caller *c, const struct xs_perm *perms,
			uint32_t nperms)
{
	const unsigned int all = PERM_READ | PERM_WRITE | ACL_OWNER;

	if (c->privileged)
		return all;
	if (!(perms[0].access & PERM_IGNORE) && names_caller(c, perms[0].domid))
		return all;
	for (uint32_t i = 1; i < nperms; i++) {
		if (perms[i].access & PERM_IGNORE)
			continue;
		if (names_caller(c, perms[i].domid))
			return perms[i].access & PERM_BOTH;
	}
	return perms[0].access & PERM_BOTH;
}
