/* SPDX-License-Identifier: MIT */
/*
 * xenstore-rm: remove keys and their subtrees.  With -t, after removing a
 * key also remove its parent if that is now a leaf with an empty value,
 * and so on upwards.
 */
#include <err.h>
#include <stdlib.h>
#include <string.h>

#include "tools.h"

static int remove_one(struct tool_ctx *ctx, const char *path)
{
	if (xs_rm(ctx->xsh, ctx->xth, path))
		return 0;
	warnx("could not remove path %s", path);
	return 1;
}

/* True if path exists with an empty value and no children. */
static bool is_empty_leaf(struct tool_ctx *ctx, const char *path)
{
	unsigned int len, num;
	char *val = xs_read(ctx->xsh, ctx->xth, path, &len);
	char **list = NULL;
	bool empty = false;

	if (val && len == 0) {
		list = xs_directory(ctx->xsh, ctx->xth, path, &num);
		empty = list && num == 0;
	}
	free(list);
	free(val);
	return empty;
}

/* Remove path, then each ancestor that became an empty leaf. */
static int remove_tidy(struct tool_ctx *ctx, const char *path)
{
	/* A copy: argv must stay intact for a transaction retry. */
	char *p = strdup(path);
	char *slash;

	if (!p)
		return 1;
	for (;;) {
		if (remove_one(ctx, p) != 0) {
			free(p);
			return 1;
		}
		slash = strrchr(p, '/');
		if (!slash)
			break;
		*slash = '\0';
		if (!is_empty_leaf(ctx, p))
			break;
	}
	free(p);
	return 0;
}

int cmd_rm(struct tool_ctx *ctx, int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		int ret = ctx->opt.tidy ? remove_tidy(ctx, argv[i])
					: remove_one(ctx, argv[i]);

		if (ret != 0)
			return ret;
	}
	return 0;
}
