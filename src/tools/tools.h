/* SPDX-License-Identifier: MIT */
/*
 * Shared declarations of the xenstore command-line tools: the command
 * table entry, the state one invocation carries, the buffered output that
 * transactions may discard and retry, and the value escaping of Xen's
 * tools.  The tools reproduce the options, messages, output and exit codes
 * of Xen 4.17's xenstore-* programs (Debian's xenstore-utils); the
 * behaviour is theirs, the code is ours.  Depends only on the public
 * client API.
 */
#ifndef XS_TOOLS_H
#define XS_TOOLS_H

#include <stdbool.h>
#include <stddef.h>

#include "xenstore.h"

/* Text that a transaction retry throws away: printed only at the end. */
struct out_buf {
	char *buf;
	size_t len; /* bytes used */
	size_t cap; /* bytes allocated */
};

/* Append formatted text; exits with err(1, "output") on failure. */
void out_printf(struct out_buf *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Append len raw bytes. */
void out_raw(struct out_buf *o, const void *data, size_t len);
/* Forget the contents (transaction restart). */
void out_reset(struct out_buf *o);
/* Write the contents to stdout. */
void out_flush(struct out_buf *o);
void out_release(struct out_buf *o);

/*
 * Values as Xen's tools print them: printable ASCII but backslash as is,
 * \t \n \r \\ by name, bytes below 8 as three octal digits (\001), all
 * others as \xNN.  Returns a NUL-terminated string owned by esc (valid
 * until the next call), or NULL if out of memory.
 */
struct esc_buf {
	char *buf;
	size_t cap;
};
const char *escape_value(struct esc_buf *esc, const char *val, size_t len);
void esc_release(struct esc_buf *esc);

/*
 * The inverse, as xenstore-write applies it to its value arguments:
 * \t \n \r \\, \xNN (up to two hex digits), \NNN (up to three octal
 * digits); any other escaped character stands for itself.  out needs
 * strlen(in) + 1 bytes; *out_len receives the decoded length.
 */
void unescape_value(char *out, size_t *out_len, const char *in);

/* Permission entry as text ("b0", "r5") into buf; false if perms is odd. */
bool perm_to_text(const struct xs_permissions *perm, char *buf, size_t size);

/* Options of the node tools, as parsed from the command line. */
struct tool_opts {
	bool prefix;	 /* -p: read/list print keys; ls prints permissions */
	bool tidy;	 /* -t: rm also removes emptied parents */
	bool upto;	 /* -u: chmod also the ancestors */
	bool recurse;	 /* -r: chmod also the descendants */
	bool raw;	 /* -R: read/write values without escaping */
	int nr_watches;	 /* -n: events before xenstore-watch exits, -1 none */
	/* xenstore-ls layout (-f changes all three). */
	int max_width;	   /* columns available, 80 unless a terminal says */
	int desired_width; /* where the -p permission column starts */
	bool whole_path;   /* -f: full paths instead of indented names */
};

/* State of one run of a node tool. */
struct tool_ctx {
	struct xs_handle *xsh;
	xs_transaction_t xth; /* XBT_NULL when not in a transaction */
	struct tool_opts opt;
	struct out_buf out;
	struct esc_buf esc;
};

/*
 * The per-command part of a node tool: handles every operand in argv
 * (argc >= 1, except for ls), returns the exit status (0 or 1), or exits
 * itself on fatal errors as Xen's tools do.
 */
typedef int tool_run_fn(struct tool_ctx *ctx, int argc, char **argv);

/* A program with its own command line (xenstore-control). */
typedef int tool_main_fn(int argc, char **argv);

enum tool_arity {
	ARITY_KEYS,	/* one or more operands */
	ARITY_PAIRS,	/* key value pairs, at least one */
	ARITY_OPTIONAL, /* zero or more */
};

/* Never use a transaction (tx_above). */
#define TX_NEVER (-1)

struct tool_cmd {
	const char *name;  /* "read": xenstore-read, or "xenstore read" */
	const char *usage; /* after "Usage: <prog> [<name> ]" */
	const char *opts;  /* option letters accepted beyond -h and -s */
	enum tool_arity arity;
	/*
	 * Run inside a transaction when there are more than tx_above
	 * operands (so a single read or write is not wrapped), or never.
	 */
	int tx_above;
	tool_run_fn *run;
	tool_main_fn *main; /* instead of the above, for separate programs */
};

tool_run_fn cmd_read, cmd_exists, cmd_write, cmd_rm, cmd_list, cmd_ls,
	cmd_chmod, cmd_watch;
tool_main_fn control_main;

#endif
