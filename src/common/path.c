/* SPDX-License-Identifier: MIT */
/* Path validation and canonicalisation; see path.h for the rules. */
#include "path.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "xenstore/wire.h"

bool path_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '/' || c == '_' ||
	       c == '@';
}

static int check_chars(const char *path, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (!path_char_ok(path[i]))
			return -EINVAL;
		if (path[i] == '/' && path[i + 1] == '/')
			return -EINVAL;
	}
	return 0;
}

int path_check_abs(const char *path)
{
	size_t len = strnlen(path, XS_ABS_PATH_MAX + 1);

	if (len == 0 || len > XS_ABS_PATH_MAX || path[0] != '/')
		return -EINVAL;
	if (len > 1 && path[len - 1] == '/')
		return -EINVAL;
	return check_chars(path, len);
}

bool path_is_special(const char *path)
{
	return path[0] == '@';
}

size_t path_home(unsigned int domid, char *buf)
{
	int n = snprintf(buf, PATH_HOME_MAX, "/local/domain/%u", domid);

	return n < 0 ? 0 : (size_t)n;
}

int path_canonical(const char *in, unsigned int domid, bool allow_special,
		   char *out, size_t *rel_len)
{
	size_t len = strnlen(in, PATH_BUF_SIZE);

	*rel_len = 0;
	if (len == 0 || len >= PATH_BUF_SIZE)
		return -EINVAL;
	if (path_is_special(in)) {
		if (!allow_special || check_chars(in, len) != 0 ||
		    in[len - 1] == '/')
			return -EINVAL;
		memcpy(out, in, len + 1);
		return 0;
	}
	if (in[0] == '/') {
		if (path_check_abs(in) != 0)
			return -EINVAL;
		memcpy(out, in, len + 1);
		return 0;
	}

	/* Relative: "<home>/<in>", the whole of which must be valid. */
	char home[PATH_HOME_MAX];
	size_t hlen = path_home(domid, home);

	if (hlen + 1 + len > XS_ABS_PATH_MAX)
		return -EINVAL;
	memcpy(out, home, hlen);
	out[hlen] = '/';
	memcpy(out + hlen + 1, in, len + 1);
	if (path_check_abs(out) != 0)
		return -EINVAL;
	*rel_len = hlen + 1;
	return 0;
}

size_t path_quota_len(const char *abs_path)
{
	static const char prefix[] = "/local/domain/";
	size_t plen = sizeof(prefix) - 1;
	size_t len = strlen(abs_path);

	if (strncmp(abs_path, prefix, plen) != 0)
		return len;
	size_t i = plen;
	while (abs_path[i] >= '0' && abs_path[i] <= '9')
		i++;
	/* Counted after "/local/domain/<domid>/"; a home itself in full. */
	if (i == plen || abs_path[i] != '/')
		return len;
	return len - (i + 1);
}

bool path_is_below(const char *child, const char *parent)
{
	size_t plen = strlen(parent);

	if (plen == 1 && parent[0] == '/')
		return child[0] == '/';
	return strncmp(child, parent, plen) == 0 &&
	       (child[plen] == '\0' || child[plen] == '/');
}

unsigned int path_depth(const char *abs_path)
{
	unsigned int depth = 0;

	if (abs_path[0] == '/' && abs_path[1] == '\0')
		return 0;
	for (const char *p = abs_path; *p; p++)
		if (*p == '/')
			depth++;
	return depth;
}
