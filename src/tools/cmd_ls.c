/* SPDX-License-Identifier: MIT */
/*
 * xenstore-ls: a subtree, one node per line, depth-first in the daemon's
 * child order.  The layout is Xen's to the column, because scripts parse
 * it:
 *
 *   <indent><name> = "<escaped value>"[ pad ]  (<perms>)      (-p)
 *   <full path> = "<escaped value>"   (<perms>)              (-f -p)
 *
 * Lines are fitted to max_width columns (80, or the terminal's width
 * less 2): the name is cut to leave room for ` = "..."`, and a value that
 * does not fit is cut and ends in `\..."`.  Under -p, lines that fit are
 * padded with ". . ." up to column desired_width (60) before the
 * permissions.  The width arithmetic deliberately mirrors Xen's, including
 * its unsigned comparison, so that odd widths behave the same.
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools.h"

/* Room a value needs besides its text: ` = "..."`. */
#define TAG_LEN 8
/* Longest path Xen's xenstore-ls composes (XENSTORE_ABS_PATH_MAX + 1024). */
#define LS_PATH_MAX 4096

/* Precision for printf that leaves TAG_LEN columns; -1 means "no limit". */
static int fit_width(const struct tool_opts *o, int linewid)
{
	long long room = (long long)o->max_width - TAG_LEN - linewid;

	return room < 0 ? -1 : (int)room;
}

static void print_perms(struct tool_ctx *ctx, const char *path,
			const char *name)
{
	unsigned int n;
	struct xs_permissions *perms =
		xs_get_permissions(ctx->xsh, XBT_NULL, path, &n);

	if (!perms) {
		warn("\ncould not access permissions for %s", name);
		return;
	}
	fputs("  (", stdout);
	for (unsigned int i = 0; i < n; i++) {
		char buf[MAX_STRLEN(unsigned int) + 1] = "";

		if (i)
			putchar(',');
		perm_to_text(&perms[i], buf, sizeof(buf));
		fputs(buf, stdout);
	}
	putchar(')');
	free(perms);
}

/* Print the value part of a line; linewid is the width used so far. */
static void print_value(struct tool_ctx *ctx, const char *path, bool path_ok,
			int linewid)
{
	const struct tool_opts *o = &ctx->opt;
	unsigned int len = 0;
	char *val = path_ok ? xs_read(ctx->xsh, XBT_NULL, path, &len) : NULL;
	const char *text;

	if (!val) {
		printf(":\n");
		return;
	}
	text = escape_value(&ctx->esc, val, len);
	if (!text)
		err(1, "malloc");
	if ((size_t)o->max_width < (size_t)linewid + len + TAG_LEN) {
		printf(" = \"%.*s\\...\"", fit_width(o, linewid), text);
	} else {
		linewid += printf(" = \"%s\"", text);
		if (ctx->opt.prefix) {
			int stop = o->desired_width < o->max_width
					   ? o->desired_width
					   : o->max_width;

			putchar(' ');
			for (linewid++; linewid < stop; linewid++)
				putchar((linewid & 1) ? '.' : ' ');
		}
	}
	free(val);
}

static void list_tree(struct tool_ctx *ctx, const char *path, int depth)
{
	size_t plen = strlen(path);
	const char *sep = plen && path[plen - 1] == '/' ? "" : "/";
	unsigned int num;
	char **names = xs_directory(ctx->xsh, XBT_NULL, path, &num);
	char *child;

	if (!names) {
		/* A node removed while we walk is not an error. */
		if (depth && errno == ENOENT)
			return;
		err(1, "xs_directory (%s)", path);
	}
	child = malloc(LS_PATH_MAX);
	if (!child)
		err(1, "malloc in do_ls");

	for (unsigned int i = 0; i < num; i++) {
		int n = snprintf(child, LS_PATH_MAX, "%s%s%s", path, sep,
				 names[i]);
		int linewid = 0;

		if (ctx->opt.whole_path) {
			fputs(child, stdout);
		} else {
			for (; linewid < depth; linewid++)
				putchar(' ');
			linewid += printf("%.*s", fit_width(&ctx->opt, linewid),
					  names[i]);
		}
		print_value(ctx, child, n >= 0 && n < LS_PATH_MAX, linewid);
		if (ctx->opt.prefix)
			print_perms(ctx, child, names[i]);
		putchar('\n');
		list_tree(ctx, child, depth + 1);
	}
	free(child);
	free(names);
}

int cmd_ls(struct tool_ctx *ctx, int argc, char **argv)
{
	if (argc == 0) {
		list_tree(ctx, "/", 0);
		return 0;
	}
	for (int i = 0; i < argc; i++)
		list_tree(ctx, argv[i], 0);
	return 0;
}
