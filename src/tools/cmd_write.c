/* SPDX-License-Identifier: MIT */
/*
 * xenstore-write: key value pairs.  Values are unescaped (\n, \x41, \101,
 * ...) unless -R gives them literally.
 */
#include <err.h>
#include <stdlib.h>
#include <string.h>

#include "tools.h"

int cmd_write(struct tool_ctx *ctx, int argc, char **argv)
{
	for (int i = 0; i + 1 < argc; i += 2) {
		const char *key = argv[i], *spec = argv[i + 1];
		size_t len = strlen(spec);
		char *val = malloc(len + 1);
		bool ok;

		if (!val)
			err(1, "malloc");
		if (ctx->opt.raw)
			memcpy(val, spec, len + 1);
		else
			unescape_value(val, &len, spec);
		ok = xs_write(ctx->xsh, ctx->xth, key, val, (unsigned int)len);
		free(val);
		if (!ok) {
			warnx("could not write path %s", key);
			return 1;
		}
	}
	return 0;
}
