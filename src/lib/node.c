/* SPDX-License-Identifier: MIT */
/*
 * Requests on nodes: read, write, mkdir, rm, directory listing (with the
 * piecewise DIRECTORY_PART fallback for lists longer than one reply) and
 * permissions.  Builds payloads and decodes replies; the exchange itself
 * is xs__talk's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xs_handle.h"

/* Give up on a listing that keeps changing under us after this many tries. */
#define DIRECTORY_PART_RESTARTS 64u

void *xs_read(struct xs_handle *h, xs_transaction_t t, const char *path,
	      unsigned int *len)
{
	return xs__talk_str(h, XS_READ, t, path, len);
}

bool xs_write(struct xs_handle *h, xs_transaction_t t, const char *path,
	      const void *data, unsigned int len)
{
	/* The value is not NUL-terminated on the wire. */
	struct iovec iov[2] = {
		{.iov_base = (void *)path, .iov_len = strlen(path) + 1},
		{.iov_base = (void *)data, .iov_len = len},
	};

	return xs__bool(xs__talk(h, XS_WRITE, t, iov, 2, NULL));
}

bool xs_mkdir(struct xs_handle *h, xs_transaction_t t, const char *path)
{
	return xs__bool(xs__talk_str(h, XS_MKDIR, t, path, NULL));
}

bool xs_rm(struct xs_handle *h, xs_transaction_t t, const char *path)
{
	return xs__bool(xs__talk_str(h, XS_RM, t, path, NULL));
}

/*
 * Turn a list of NUL-terminated names (len bytes) into the array form
 * xs_directory() returns: the pointers followed by a copy of the names,
 * one allocation.  Frees list.
 */
static char **strings_to_array(char *list, unsigned int len,
			       unsigned int *num)
{
	unsigned int n = xs__count_strings(list, len);
	char **ret, *names;

	/* At least one byte, so an empty list is not mistaken for failure. */
	ret = malloc(n * sizeof(char *) + len + 1);
	if (!ret) {
		free(list);
		errno = ENOMEM;
		return NULL;
	}
	names = (char *)(ret + n);
	memcpy(names, list, len);
	names[len] = '\0';
	free(list);
	for (unsigned int i = 0, off = 0; i < n; i++) {
		ret[i] = names + off;
		off += (unsigned int)strlen(names + off) + 1;
	}
	*num = n;
	return ret;
}

/*
 * DIRECTORY_PART: request the list from byte offset on; each reply is the
 * node's generation count and the next piece.  The pieces concatenate to
 * the full list followed by one empty name, which marks the end.  If the
 * generation changes between pieces the node changed: start again.
 */
static char **directory_part(struct xs_handle *h, xs_transaction_t t,
			     const char *path, unsigned int *num)
{
	char gen[32] = "", offstr[16];
	char *list = NULL;
	unsigned int off = 0, restarts = 0;

	for (;;) {
		struct iovec iov[2];
		unsigned int rlen, glen, plen;
		char *reply, *grown;

		snprintf(offstr, sizeof(offstr), "%u", off);
		iov[0].iov_base = (void *)path;
		iov[0].iov_len = strlen(path) + 1;
		iov[1].iov_base = offstr;
		iov[1].iov_len = strlen(offstr) + 1;
		reply = xs__talk(h, XS_DIRECTORY_PART, t, iov, 2, &rlen);
		if (!reply) {
			/* A daemon without DIRECTORY_PART: the list is too big. */
			if (errno == ENOSYS)
				errno = E2BIG;
			free(list);
			return NULL;
		}
		glen = (unsigned int)strnlen(reply, rlen);
		if (glen == rlen || glen >= sizeof(gen)) {
			free(reply);
			free(list);
			errno = EIO;
			return NULL;
		}
		if (off == 0) {
			memcpy(gen, reply, glen + 1);
		} else if (strcmp(gen, reply) != 0) {
			free(reply);
			free(list);
			list = NULL;
			off = 0;
			if (++restarts > DIRECTORY_PART_RESTARTS) {
				errno = EAGAIN;
				return NULL;
			}
			continue;
		}
		plen = rlen - glen - 1;
		grown = realloc(list, (size_t)off + plen + 1);
		if (!grown) {
			free(reply);
			free(list);
			errno = ENOMEM;
			return NULL;
		}
		list = grown;
		memcpy(list + off, reply + glen + 1, plen);
		free(reply);
		off += plen;
		/* Done at the empty terminating name (or an empty piece). */
		if (plen == 0 || off == 1 ||
		    (off >= 2 && list[off - 1] == '\0' && list[off - 2] == '\0'))
			break;
	}
	if (off > 0)
		off--; /* drop the terminating empty name */
	return strings_to_array(list, off, num);
}

char **xs_directory(struct xs_handle *h, xs_transaction_t t,
		    const char *path, unsigned int *num)
{
	unsigned int len;
	char *list = xs__talk_str(h, XS_DIRECTORY, t, path, &len);

	if (!list) {
		/* The list did not fit in one reply: fetch it piecewise. */
		if (errno == E2BIG)
			return directory_part(h, t, path, num);
		return NULL;
	}
	return strings_to_array(list, len, num);
}

struct xs_permissions *xs_get_permissions(struct xs_handle *h,
					  xs_transaction_t t,
					  const char *path, unsigned int *num)
{
	struct xs_permissions *ret;
	unsigned int len, n;
	char *strings = xs__talk_str(h, XS_GET_PERMS, t, path, &len);

	if (!strings)
		return NULL;
	n = xs__count_strings(strings, len);
	ret = malloc((n ? n : 1) * sizeof(*ret));
	if (!ret) {
		free(strings);
		errno = ENOMEM;
		return NULL;
	}
	if (!xs_strings_to_perms(ret, n, strings)) {
		free(ret);
		free(strings);
		errno = EINVAL;
		return NULL;
	}
	free(strings);
	*num = n;
	return ret;
}

bool xs_set_permissions(struct xs_handle *h, xs_transaction_t t,
			const char *path, struct xs_permissions *perms,
			unsigned int num_perms)
{
	static const char letters[] = "nrwb";
	char buf[XS_PAYLOAD_MAX];
	size_t used, plen = strlen(path) + 1;
	struct iovec iov;

	/* Payload: path|perm|perm|... built in place; E2BIG if it overflows. */
	if (plen > sizeof(buf)) {
		errno = E2BIG;
		return false;
	}
	memcpy(buf, path, plen);
	used = plen;
	for (unsigned int i = 0; i < num_perms; i++) {
		int n;

		/* Only the access bits can be expressed on the wire. */
		if (perms[i].perms & ~(unsigned int)(XS_PERM_READ | XS_PERM_WRITE)) {
			errno = EINVAL;
			return false;
		}
		n = snprintf(buf + used, sizeof(buf) - used, "%c%u",
			     letters[perms[i].perms], perms[i].id);
		if (n < 0 || (size_t)n + 1 > sizeof(buf) - used) {
			errno = E2BIG;
			return false;
		}
		used += (size_t)n + 1;
	}
	iov.iov_base = buf;
	iov.iov_len = used;
	return xs__bool(xs__talk(h, XS_SET_PERMS, t, &iov, 1, NULL));
}
