/* SPDX-License-Identifier: MIT */
/*
 * Connection-free helpers of the public API: path containment, a
 * write-everything loop and the text form of permission lists.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xs_handle.h"

bool xs_path_is_subpath(const char *parent, const char *child)
{
	size_t plen = strlen(parent);

	return strncmp(child, parent, plen) == 0 &&
	       (child[plen] == '\0' || child[plen] == '/');
}

bool xs_write_all(int fd, const void *data, unsigned int len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (unsigned int)n;
	}
	return true;
}

bool xs_strings_to_perms(struct xs_permissions *perms, unsigned int num,
			 const char *strings)
{
	const char *p = strings;

	for (unsigned int i = 0; i < num; i++) {
		char *end;

		switch (*p) {
		case 'n': perms[i].perms = XS_PERM_NONE; break;
		case 'r': perms[i].perms = XS_PERM_READ; break;
		case 'w': perms[i].perms = XS_PERM_WRITE; break;
		case 'b': perms[i].perms = XS_PERM_READ | XS_PERM_WRITE; break;
		default:
			errno = EINVAL;
			return false;
		}
		p++;
		/*
		 * Xen's parser takes any base strtol accepts ("r0x10"); do
		 * the same so both libraries read the same lists alike.
		 */
		perms[i].id = (unsigned int)strtol(p, &end, 0);
		if (*p == '\0' || *end != '\0') {
			errno = EINVAL;
			return false;
		}
		p = end + 1;
	}
	return true;
}
