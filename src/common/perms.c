/* SPDX-License-Identifier: MIT */
/* Permission entries in text form; see perms.h. */
#include "perms.h"

#include <errno.h>
#include <stdio.h>

int perm_parse(const char *text, struct xs_perm *out)
{
	uint8_t access;
	uint32_t domid = 0;

	switch (text[0]) {
	case 'n': access = PERM_NONE; break;
	case 'r': access = PERM_READ; break;
	case 'w': access = PERM_WRITE; break;
	case 'b': access = PERM_BOTH; break;
	default: return -EINVAL;
	}
	if (text[1] == '\0')
		return -EINVAL;
	for (const char *p = text + 1; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		domid = domid * 10 + (uint32_t)(*p - '0');
		if (domid > PERM_DOMID_MAX)
			return -EINVAL;
	}
	out->domid = domid;
	out->access = access;
	return 0;
}

size_t perm_format(const struct xs_perm *perm, char *buf)
{
	static const char letters[] = "nrwb";
	int n = snprintf(buf, PERM_TEXT_MAX, "%c%u",
			 letters[perm->access & PERM_BOTH],
			 (unsigned int)perm->domid);

	return n < 0 ? 0 : (size_t)n;
}
