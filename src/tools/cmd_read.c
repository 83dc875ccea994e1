/* SPDX-License-Identifier: MIT */
/*
 * xenstore-read (print values, escaped unless -R, with "key: " under -p)
 * and xenstore-exists (exit status only).  Both stop at the first key
 * that cannot be read; what was read before is still printed.
 */
#include <err.h>
#include <stdlib.h>

#include "tools.h"

int cmd_read(struct tool_ctx *ctx, int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		unsigned int len;
		char *val = xs_read(ctx->xsh, ctx->xth, argv[i], &len);

		if (!val) {
			warnx("couldn't read path %s", argv[i]);
			return 1;
		}
		if (ctx->opt.prefix)
			out_printf(&ctx->out, "%s: ", argv[i]);
		if (ctx->opt.raw) {
			/* Exactly the bytes stored, without a newline. */
			out_raw(&ctx->out, val, len);
		} else {
			const char *text = escape_value(&ctx->esc, val, len);

			if (!text)
				err(1, "malloc");
			out_printf(&ctx->out, "%s\n", text);
		}
		free(val);
	}
	return 0;
}

int cmd_exists(struct tool_ctx *ctx, int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		char *val = xs_read(ctx->xsh, ctx->xth, argv[i], NULL);

		if (!val)
			return 1;
		free(val);
	}
	return 0;
}
