/* SPDX-License-Identifier: MIT */
/*
 * Permission entries and their text form on the wire: a letter (n, r, w,
 * b) followed by a decimal domid, e.g. "r5".  The first entry of a node's
 * list names its owner and the access of every domain not listed.
 */
#ifndef XS_COMMON_PERMS_H
#define XS_COMMON_PERMS_H

#include <stddef.h>
#include <stdint.h>

#define PERM_NONE 0u
#define PERM_READ 1u
#define PERM_WRITE 2u
#define PERM_BOTH (PERM_READ | PERM_WRITE)
/* Set on entries naming a domain that no longer exists (never on wire). */
#define PERM_IGNORE 0x80u

/* Highest domid a permission entry may name (domid_t is 16 bits). */
#define PERM_DOMID_MAX 65535u

struct xs_perm {
	uint32_t domid;
	uint8_t access; /* PERM_* bits */
};

/*
 * Parse one entry such as "b12" (NUL-terminated).  Returns 0 or -EINVAL
 * for an unknown letter, a missing or non-decimal domid, or one above
 * PERM_DOMID_MAX.
 */
int perm_parse(const char *text, struct xs_perm *out);

/* Text form of an entry into buf (at least PERM_TEXT_MAX bytes); length. */
#define PERM_TEXT_MAX 12u /* letter, up to 10 digits, NUL */
size_t perm_format(const struct xs_perm *perm, char *buf);

#endif
