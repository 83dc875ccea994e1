/* SPDX-License-Identifier: MIT */
/*
 * xenstore-sim: the simulated hypervisor's toolstack (docs/sim.md).  It
 * creates, shuts down, destroys and removes simulated domains in a sim
 * directory, introduces them to the daemon (as dom0, over the socket), and
 * runs programs as a guest.  This file is the command line; the directory
 * itself is handled by simdir.c.  Exit status: 0 success, 1 failure,
 * 2 usage error; "guest" exits with its command's status (127 if the
 * command cannot be run).
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/simdir.h"
#include "xenstore.h"

#define EXIT_USAGE 2

static const char usage_text[] =
	"Usage: xenstore-sim [--dir DIR] COMMAND [ARGS]\n"
	"\n"
	"  create [N]         make domain N (or the lowest free one); print \"N gfn port\"\n"
	"  introduce N        create N if needed, then INTRODUCE it to the daemon\n"
	"                     at $XENSTORED_PATH; print \"N gfn port\"\n"
	"  shutdown N         mark N shut down\n"
	"  destroy N          mark N dead\n"
	"  reap N             remove a dead domain's directory\n"
	"  list               print \"N state\" for every domain\n"
	"  guest N -- CMD...  run CMD as guest N\n"
	"\n"
	"DIR defaults to $XENSTORE_SIM_DIR.  N is 1..32751.\n";

static const char *prog = "xenstore-sim";

static int usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* An error message (when fmt is not NULL), the usage text, status 2. */
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	if (fmt) {
		fprintf(stderr, "%s: ", prog);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputs("\n\n", stderr);
	}
	fputs(usage_text, stderr);
	return EXIT_USAGE;
}

/* A failed call on domain text (an id as a string). */
static int fail(const char *what, const char *dom, int err)
{
	fprintf(stderr, "%s: %s%s%s: %s\n", prog, what, dom ? " " : "",
		dom ? dom : "", strerror(err));
	return EXIT_FAILURE;
}

struct ctx {
	const char *dir;
	int dir_fd;
	unsigned int domid;
	char id[16]; /* domid as text, for messages */
};

static int print_info(struct ctx *c)
{
	uint64_t gfn;
	uint32_t port;
	int ret = sim_dom_info(c->dir_fd, c->domid, &gfn, &port);

	if (ret < 0)
		return fail("cannot read info of domain", c->id, -ret);
	printf("%u %llu %u\n", c->domid, (unsigned long long)gfn,
	       (unsigned int)port);
	return EXIT_SUCCESS;
}

static int need_domain(struct ctx *c)
{
	if (sim_dom_exists(c->dir_fd, c->domid))
		return 0;
	fprintf(stderr, "%s: no domain %u in %s\n", prog, c->domid, c->dir);
	return EXIT_FAILURE;
}

static int cmd_create(struct ctx *c, bool have_id)
{
	int ret = have_id ? sim_dom_create(c->dir_fd, c->domid)
			  : sim_dom_create_next(c->dir_fd, &c->domid);

	if (ret == -EEXIST) {
		fprintf(stderr, "%s: domain %u already exists in %s\n", prog,
			c->domid, c->dir);
		return EXIT_FAILURE;
	}
	if (ret < 0)
		return fail("cannot create domain in", c->dir, -ret);
	return print_info(c);
}

static int cmd_introduce(struct ctx *c)
{
	struct xs_handle *h;
	uint64_t gfn;
	uint32_t port;
	int ret = sim_dom_create(c->dir_fd, c->domid);

	if (ret < 0 && ret != -EEXIST)
		return fail("cannot create domain", c->id, -ret);
	ret = sim_dom_info(c->dir_fd, c->domid, &gfn, &port);
	if (ret < 0)
		return fail("cannot read info of domain", c->id, -ret);
	if (sim_dom_state(c->dir_fd, c->domid) != SIM_RUNNING) {
		fprintf(stderr, "%s: domain %u is not running\n", prog, c->domid);
		return EXIT_FAILURE;
	}
	if (gfn > ULONG_MAX) {
		fprintf(stderr, "%s: gfn of domain %u out of range\n", prog,
			c->domid);
		return EXIT_FAILURE;
	}
	/* As dom0, over the socket, even when run inside a guest's env. */
	unsetenv("XENSTORE_SIM_DOMID");
	h = xs_open(XS_OPEN_SOCKETONLY);
	if (!h)
		return fail("cannot connect to the daemon at",
			    xs_daemon_socket(), errno);
	if (!xs_introduce_domain(h, c->domid, (unsigned long)gfn, port)) {
		ret = errno;
		xs_close(h);
		return fail("INTRODUCE failed for domain", c->id, ret);
	}
	xs_close(h);
	return print_info(c);
}

static int cmd_set_state(struct ctx *c, enum sim_state st)
{
	int ret = need_domain(c);

	if (ret)
		return ret;
	if (st == SIM_SHUTDOWN && sim_dom_state(c->dir_fd, c->domid) == SIM_DEAD) {
		fprintf(stderr, "%s: domain %u is dead\n", prog, c->domid);
		return EXIT_FAILURE;
	}
	ret = sim_dom_set_state(c->dir_fd, c->domid, st);
	if (ret < 0)
		return fail("cannot change the state of domain", c->id, -ret);
	return EXIT_SUCCESS;
}

static int cmd_reap(struct ctx *c)
{
	enum sim_state st;
	int ret = need_domain(c);

	if (ret)
		return ret;
	st = sim_dom_state(c->dir_fd, c->domid);
	if (st == SIM_RUNNING || st == SIM_SHUTDOWN) {
		fprintf(stderr, "%s: domain %u is %s; destroy it first\n", prog,
			c->domid, sim_state_name(st));
		return EXIT_FAILURE;
	}
	ret = sim_dom_reap(c->dir_fd, c->domid);
	if (ret < 0)
		return fail("cannot remove domain", c->id, -ret);
	return EXIT_SUCCESS;
}

static int cmd_list(struct ctx *c)
{
	unsigned int *ids;
	size_t n;
	int ret = sim_dom_list(c->dir_fd, &ids, &n);

	if (ret < 0)
		return fail("cannot list", c->dir, -ret);
	for (size_t i = 0; i < n; i++)
		printf("%u %s\n", ids[i],
		       sim_state_name(sim_dom_state(c->dir_fd, ids[i])));
	free(ids);
	return EXIT_SUCCESS;
}

static int cmd_guest(struct ctx *c, char **cmd)
{
	char *abs = realpath(c->dir, NULL);
	int ret = need_domain(c);

	if (ret || !abs) {
		free(abs);
		return ret ? ret : fail("cannot resolve", c->dir, errno);
	}
	if (setenv("XENSTORE_SIM_DIR", abs, 1) < 0 ||
	    setenv("XENSTORE_SIM_DOMID", c->id, 1) < 0) {
		free(abs);
		return fail("setenv", NULL, errno);
	}
	free(abs);
	fflush(NULL);
	execvp(cmd[0], cmd);
	fprintf(stderr, "%s: cannot run %s: %s\n", prog, cmd[0], strerror(errno));
	return 127;
}

/* The command's arguments: exactly want (or fewer when optional). */
static bool arity(int argc, int want, bool optional)
{
	return argc == want || (optional && argc == want - 1);
}

int main(int argc, char **argv)
{
	struct ctx c = { .dir = getenv("XENSTORE_SIM_DIR"), .dir_fd = -1 };
	const char *cmd;
	bool creates;
	int i = 1, ret;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--dir") == 0) {
			if (++i == argc)
				return usage_error("--dir needs an argument");
			c.dir = argv[i];
		} else if (strncmp(argv[i], "--dir=", 6) == 0) {
			c.dir = argv[i] + 6;
		} else if (strcmp(argv[i], "-h") == 0 ||
			   strcmp(argv[i], "--help") == 0) {
			fputs(usage_text, stdout);
			return EXIT_SUCCESS;
		} else if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else {
			return usage_error("unknown option %s", argv[i]);
		}
	}
	if (i == argc)
		return usage_error("no command given");
	cmd = argv[i++];
	argc -= i;
	argv += i;

	if (strcmp(cmd, "list") == 0) {
		if (argc != 0)
			return usage_error("list takes no arguments");
	} else if (strcmp(cmd, "guest") == 0) {
		if (argc < 2 || (strcmp(argv[1], "--") == 0 && argc < 3))
			return usage_error("guest needs N and a command");
	} else if (strcmp(cmd, "create") == 0 || strcmp(cmd, "introduce") == 0 ||
		   strcmp(cmd, "shutdown") == 0 || strcmp(cmd, "destroy") == 0 ||
		   strcmp(cmd, "reap") == 0) {
		if (!arity(argc, 1, strcmp(cmd, "create") == 0))
			return usage_error("%s takes one domain id", cmd);
	} else {
		return usage_error("unknown command %s", cmd);
	}
	if (argc > 0) {
		if (!sim_parse_domid(argv[0], &c.domid))
			return usage_error("bad domain id %s (1..32751)", argv[0]);
		snprintf(c.id, sizeof(c.id), "%u", c.domid);
	}
	if (!c.dir || !*c.dir)
		return usage_error("no sim directory: use --dir DIR or set "
				   "XENSTORE_SIM_DIR");

	creates = strcmp(cmd, "create") == 0 || strcmp(cmd, "introduce") == 0;
	c.dir_fd = sim_dir_open(c.dir, creates);
	if (c.dir_fd < 0)
		return fail("cannot open", c.dir, -c.dir_fd);

	if (strcmp(cmd, "create") == 0)
		ret = cmd_create(&c, argc == 1);
	else if (strcmp(cmd, "introduce") == 0)
		ret = cmd_introduce(&c);
	else if (strcmp(cmd, "shutdown") == 0)
		ret = cmd_set_state(&c, SIM_SHUTDOWN);
	else if (strcmp(cmd, "destroy") == 0)
		ret = cmd_set_state(&c, SIM_DEAD);
	else if (strcmp(cmd, "reap") == 0)
		ret = cmd_reap(&c);
	else if (strcmp(cmd, "list") == 0)
		ret = cmd_list(&c);
	else
		ret = cmd_guest(&c, argv + (strcmp(argv[1], "--") == 0 ? 2 : 1));
	close(c.dir_fd);
	if (fflush(stdout) != 0 && ret == EXIT_SUCCESS)
		ret = fail("write error", NULL, errno);
	return ret;
}
