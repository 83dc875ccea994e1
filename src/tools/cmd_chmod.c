/* SPDX-License-Identifier: MIT */
/*
 * xenstore-chmod: set a node's permission list, given as entries like
 * "n0 r5" (first: owner and default access).  -u repeats it on every
 * ancestor, -r on every descendant.  Paths built for -r are limited to
 * 255 characters, as in Xen's tool.
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools.h"

/* Xen's tool composes child paths in a buffer of this size. */
#define CHMOD_PATH_MAX 256

struct chmod_job {
	struct xs_permissions *perms;
	unsigned int nperms;
};

/* path is modified during the call (for -u) and restored before return. */
static void chmod_path(struct tool_ctx *ctx, const struct chmod_job *job,
		       char *path, bool upto, bool recurse)
{
	if (path[0] == '\0')
		return;
	if (!xs_set_permissions(ctx->xsh, ctx->xth, path, job->perms,
				job->nperms))
		err(1, "Error occurred setting permissions on '%s'", path);

	if (upto) {
		char *slash = strrchr(path, '/');

		if (!slash)
			errx(1, "Unable to locate path separator '%c' in '%s'",
			     '/', path);
		*slash = '\0';
		chmod_path(ctx, job, path, true, false);
		*slash = '/';
	}

	if (recurse) {
		unsigned int num;
		char **names = xs_directory(ctx->xsh, ctx->xth, path, &num);

		/* A node without readable children is simply a leaf here. */
		if (!names)
			return;
		for (unsigned int i = 0; i < num; i++) {
			char child[CHMOD_PATH_MAX];

			snprintf(child, sizeof(child), "%s/%s", path, names[i]);
			chmod_path(ctx, job, child, false, true);
		}
		free(names);
	}
}

/* Entry text to permission: letter then a decimal domid (atoi rules). */
static void parse_entry(const char *text, struct xs_permissions *perm)
{
	perm->id = (unsigned int)atoi(text + 1);
	switch (text[0]) {
	case 'n': perm->perms = XS_PERM_NONE; break;
	case 'r': perm->perms = XS_PERM_READ; break;
	case 'w': perm->perms = XS_PERM_WRITE; break;
	case 'b': perm->perms = XS_PERM_READ | XS_PERM_WRITE; break;
	default:
		errx(1, "Invalid permission specification: '%c'", text[0]);
	}
}

int cmd_chmod(struct tool_ctx *ctx, int argc, char **argv)
{
	struct chmod_job job;

	job.nperms = (unsigned int)(argc - 1);
	job.perms = calloc(job.nperms ? job.nperms : 1, sizeof(*job.perms));
	if (!job.perms)
		err(1, "malloc");
	for (unsigned int i = 0; i < job.nperms; i++)
		parse_entry(argv[1 + i], &job.perms[i]);
	chmod_path(ctx, &job, argv[0], ctx->opt.upto, ctx->opt.recurse);
	free(job.perms);
	return 0;
}
