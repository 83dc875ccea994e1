/* SPDX-License-Identifier: MIT */
/*
 * Path rules of the protocol (docs/misc/xenstore.txt, "Paths"): which
 * strings name nodes, which name special watches, and how a relative path
 * becomes absolute.  Pure functions; no allocation.
 */
#ifndef XS_COMMON_PATH_H
#define XS_COMMON_PATH_H

#include <stdbool.h>
#include <stddef.h>

/* Longest "/local/domain/<domid>" prefix: 14 + 10 digits. */
#define PATH_HOME_MAX 32u
/* Room for any canonical path plus its NUL. */
#define PATH_BUF_SIZE (3072u + 1u)

/* True for the characters a node name may hold: A-Z a-z 0-9 - / _ @ */
bool path_char_ok(char c);

/*
 * Check an absolute node path: starts with '/', only legal characters, no
 * "//", no trailing '/' except the root itself, at most XS_ABS_PATH_MAX
 * bytes.  Returns 0 or -EINVAL.
 */
int path_check_abs(const char *path);

/* True when path names a special watch ("@" followed by anything legal). */
bool path_is_special(const char *path);

/* Write "/local/domain/<domid>" into buf (PATH_HOME_MAX bytes); its length. */
size_t path_home(unsigned int domid, char *buf);

/*
 * Turn a request path into its canonical absolute form in out
 * (PATH_BUF_SIZE bytes).  Relative paths are taken below the caller's home
 * /local/domain/<domid>; special "@" paths are returned as they are when
 * allow_special is set, else rejected.  *rel_len receives the length of the
 * prefix that was added (0 for absolute input) so events can be reported
 * relative again.  Returns 0 or -EINVAL.
 */
int path_canonical(const char *in, unsigned int domid, bool allow_special,
		   char *out, size_t *rel_len);

/*
 * Length of path not counting the home prefix of the domain it lies under:
 * the part that the per-domain path-max quota limits (XSA-323).
 */
size_t path_quota_len(const char *abs_path);

/* True if child equals parent or lies below it. */
bool path_is_below(const char *child, const char *parent);

/* Number of components below the root: "/" is 0, "/a/b" is 2. */
unsigned int path_depth(const char *abs_path);

#endif
