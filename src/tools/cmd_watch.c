/* SPDX-License-Identifier: MIT */
/*
 * xenstore-watch: watch every key given (the key is its own token) and
 * print the path of each event, one per line, flushed at once; with -n NR
 * stop after NR events (the first event of each watch counts).
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>

#include "tools.h"

int cmd_watch(struct tool_ctx *ctx, int argc, char **argv)
{
	int max = ctx->opt.nr_watches;

	for (int i = 0; i < argc; i++)
		if (!xs_watch(ctx->xsh, argv[i], argv[i]))
			errx(1, "Unable to add watch on %s\n", argv[i]);

	for (int count = 0; max == -1 || count < max; count++) {
		unsigned int num;
		char **vec = xs_read_watch(ctx->xsh, &num);

		/*
		 * Xen's tool retries forever here; a failed read means the
		 * connection is gone and no event can come any more.
		 */
		if (!vec)
			err(1, "xs_read_watch");
		printf("%s\n", vec[XS_WATCH_PATH]);
		fflush(stdout);
		free(vec);
	}
	return 0;
}
