/* SPDX-License-Identifier: MIT */
/*
 * xenstore-list: the children of each key, one per line, prefixed with
 * "key/" under -p (so "/" gives "//name", as in Xen 4.17).
 */
#include <err.h>
#include <stdlib.h>

#include "tools.h"

int cmd_list(struct tool_ctx *ctx, int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		unsigned int num;
		char **list = xs_directory(ctx->xsh, ctx->xth, argv[i], &num);

		if (!list) {
			warnx("could not list path %s", argv[i]);
			return 1;
		}
		for (unsigned int j = 0; j < num; j++) {
			if (ctx->opt.prefix)
				out_printf(&ctx->out, "%s/", argv[i]);
			out_printf(&ctx->out, "%s\n", list[j]);
		}
		free(list);
	}
	return 0;
}
