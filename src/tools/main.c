/* SPDX-License-Identifier: MIT */
/*
 * The multi-call xenstore binary: picks the command from the program name
 * (xenstore-read, ...) or from the first argument (xenstore read ...),
 * parses the options all node tools share, checks the operand count, and
 * runs the command, inside a transaction that is retried on EAGAIN when
 * the command needs one.  What each command does lives in cmd_*.c.
 *
 * Option letters are parsed for every command and rejected with the
 * usage message by the commands they do not belong to, as Xen's tools do;
 * -s (socket only) is accepted and ignored by all, as in Xen 4.17.
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "tools.h"

#define PROG_PREFIX "xenstore-"

static const struct tool_cmd commands[] = {
	{.name = "read", .usage = "[-h] [-p] [-s] [-R] key [...]",
	 .opts = "pR", .arity = ARITY_KEYS, .tx_above = 1, .run = cmd_read},
	{.name = "write", .usage = "[-h] [-s] [-R] key value [...]",
	 .opts = "R", .arity = ARITY_PAIRS, .tx_above = 2, .run = cmd_write},
	{.name = "rm", .usage = "[-h] [-s] [-t] key [...]",
	 .opts = "t", .arity = ARITY_KEYS, .tx_above = 0, .run = cmd_rm},
	/* Xen prints the usage line of list for exists. */
	{.name = "exists", .usage = "[-h] [-p] [-s] key [...]",
	 .opts = "", .arity = ARITY_KEYS, .tx_above = 0, .run = cmd_exists},
	{.name = "list", .usage = "[-h] [-p] [-s] key [...]",
	 .opts = "p", .arity = ARITY_KEYS, .tx_above = 0, .run = cmd_list},
	{.name = "ls", .usage = "[-h] [-f] [-p] [-s] [path]",
	 .opts = "fp", .arity = ARITY_OPTIONAL, .tx_above = TX_NEVER,
	 .run = cmd_ls},
	{.name = "chmod", .usage = "[-h] [-u] [-r] [-s] key <mode [modes...]>",
	 .opts = "ur", .arity = ARITY_KEYS, .tx_above = 0, .run = cmd_chmod},
	{.name = "watch", .usage = "[-h] [-n NR] key",
	 .opts = "n", .arity = ARITY_KEYS, .tx_above = TX_NEVER,
	 .run = cmd_watch},
	/* A program of its own in Xen; reachable here as "xenstore control" too. */
	{.name = "control", .main = control_main},
};

static const struct tool_cmd *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/*
 * Usage goes to stderr prefixed with the program name, exit status 1 (also
 * for -h, like Xen 4.17).  The command name is repeated when it came from
 * the first argument.
 */
static _Noreturn void usage(const struct tool_cmd *cmd, bool named,
			    const char *argv0)
{
	if (!cmd)
		errx(1, "Usage: %s <mode> [-h] [...]", argv0);
	errx(1, "Usage: %s %s%s%s", argv0, named ? cmd->name : "",
	     named ? " " : "", cmd->usage);
}

/* Parse options into o; argv is the command's own (argv[0] its name). */
static int parse_options(const struct tool_cmd *cmd, bool named,
			 const char *prog, int argc, char **argv,
			 struct tool_opts *o)
{
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},
		{"flat", no_argument, NULL, 'f'},
		{"prefix", no_argument, NULL, 'p'},
		{"tidy", no_argument, NULL, 't'},
		{"upto", no_argument, NULL, 'u'},
		{"recurse", no_argument, NULL, 'r'},
		{"number", required_argument, NULL, 'n'},
		{"raw", no_argument, NULL, 'R'},
		{NULL, 0, NULL, 0},
	};
	int c;

	while ((c = getopt_long(argc, argv, "hfspturn:R", longopts, NULL)) !=
	       -1) {
		/* Unknown options were reported by getopt and are ignored. */
		if (c == '?' || c == 's')
			continue;
		if (c == 'h' || !strchr(cmd->opts, c))
			usage(cmd, named, prog);
		switch (c) {
		case 'f':
			o->max_width = INT_MAX / 2;
			o->desired_width = 0;
			o->whole_path = true;
			break;
		case 'p': o->prefix = true; break;
		case 't': o->tidy = true; break;
		case 'u': o->upto = true; break;
		case 'r': o->recurse = true; break;
		case 'n': o->nr_watches = atoi(optarg); break;
		case 'R': o->raw = true; break;
		}
	}
	return optind;
}

/* Run cmd on its operands, in a transaction if it needs one. */
static int run_command(const struct tool_cmd *cmd, struct tool_ctx *ctx,
		       int argc, char **argv)
{
	bool txn = cmd->tx_above != TX_NEVER && argc > cmd->tx_above;
	int ret;

	for (;;) {
		if (txn) {
			ctx->xth = xs_transaction_start(ctx->xsh);
			if (ctx->xth == XBT_NULL)
				errx(1, "couldn't start transaction");
		}
		ret = cmd->run(ctx, argc, argv);
		if (!txn || xs_transaction_end(ctx->xsh, ctx->xth, ret != 0))
			break;
		/* Someone changed what we read: throw the output away, redo. */
		if (ret == 0 && errno == EAGAIN) {
			out_reset(&ctx->out);
			continue;
		}
		errx(1, "couldn't end transaction");
	}
	out_flush(&ctx->out);
	return ret;
}

int main(int argc, char **argv)
{
	const char *prog = argv[0];
	const char *base = strrchr(prog, '/');
	const struct tool_cmd *cmd;
	struct tool_ctx ctx = {
		.xth = XBT_NULL,
		.opt = {.nr_watches = -1, .max_width = 80, .desired_width = 60},
	};
	struct winsize ws;
	bool named;
	int first, ret;

	base = base ? base + 1 : prog;
	if (strncmp(base, PROG_PREFIX, strlen(PROG_PREFIX)) == 0) {
		named = false;
		base += strlen(PROG_PREFIX);
	} else if (argc < 2) {
		usage(NULL, false, prog);
	} else {
		named = true;
		base = argv[1];
	}
	cmd = find_command(base);
	if (!cmd)
		errx(1, "unknown mode %s\n", base);

	/* From here on the command's arguments start at its own name. */
	argc -= named;
	argv += named;
	if (cmd->main)
		return cmd->main(argc, argv);

	first = parse_options(cmd, named, prog, argc, argv, &ctx.opt);
	if (cmd->arity == ARITY_PAIRS && (argc - first) % 2 == 1)
		usage(cmd, named, prog);
	if (cmd->arity != ARITY_OPTIONAL && first == argc)
		usage(cmd, named, prog);

	/* xenstore-ls fits its lines to the terminal, if there is one. */
	if (cmd->run == cmd_ls && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0)
		ctx.opt.max_width = ws.ws_col - 2;

	ctx.xsh = xs_open(0);
	if (!ctx.xsh)
		err(1, "xs_open");
	ret = run_command(cmd, &ctx, argc - first, argv + first);
	xs_close(ctx.xsh);
	out_release(&ctx.out);
	esc_release(&ctx.esc);
	return ret;
}
