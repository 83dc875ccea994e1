/* SPDX-License-Identifier: MIT */
/*
 * xenstored: command line, signals, daemonising and the main loop.
 * Options follow Xen's C xenstored where they apply; see usage().
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend.h"
#include "common/codec.h"
#include "daemon.h"
#include "domain.h"
#include "log.h"
#include "trace.h"
#include "transport_sock.h"

#define DEFAULT_SOCKET "/var/run/xenstored/socket"

struct options {
	bool no_fork;
	bool output_pid;
	bool verbose;
	const char *pid_file;
	const char *trace_file;
	const char *socket;
	const char *sim_dir;
	bool xen;
};

static void usage(FILE *f)
{
	fputs("Usage: xenstored [options]\n"
	      "\n"
	      "  -N, --no-fork            stay in the foreground\n"
	      "  -F, --pid-file FILE      write the daemon's pid to FILE\n"
	      "  -P, --output-pid         print the daemon's pid on stdout\n"
	      "  -T, --trace-file FILE    log every request and reply to FILE\n"
	      "  -V, --verbose            log more (debug level)\n"
	      "      --socket PATH        listen at PATH (default $XENSTORED_PATH,\n"
	      "                           else " DEFAULT_SOCKET ")\n"
	      "      --sim DIR            guests from the simulated hypervisor in DIR\n"
	      "                           (default $XENSTORE_SIM_DIR; docs/sim.md)\n"
	      "      --xen                guests from Xen (needs a Xen build)\n"
	      "  -E, --entry-nb N         nodes per domain (quota 'nodes')\n"
	      "  -S, --entry-size N       bytes per node (quota 'node-size')\n"
	      "  -W, --watch-nb N         watches per domain (quota 'watches')\n"
	      "  -t, --transaction N      open transactions per domain\n"
	      "  -A, --perm-nb N          permission entries per node\n"
	      "  -M, --path-max N         path length below a domain's home\n"
	      "  -Q, --quota NAME=N       set a quota by name (see GET_QUOTA)\n"
	      "  -q, --quota-soft NAME=N  set a soft quota (memory)\n"
	      "  -w, --timeout watch-event=SEC  drop watch events unread for SEC\n"
	      "                           seconds (default 20, 0 never)\n"
	      "  -D, --no-domain-init     accepted for compatibility\n"
	      "  -R, --no-recovery        accepted for compatibility\n"
	      "  -I, --internal-db [on|off] accepted; the store is always in memory\n"
	      "  -K, --keep-orphans       keep the nodes of destroyed domains\n"
	      "  -H, --help               this text\n",
	      f);
}

static int set_quota_arg(struct daemon *d, enum quota_item item, const char *val,
			 bool soft)
{
	uint64_t v;

	if (xs_parse_uint(val, UINT32_MAX, &v) != 0)
		return -EINVAL;
	if (soft)
		d->quotas.soft[item] = (uint32_t)v;
	else
		d->quotas.hard[item] = (uint32_t)v;
	return 0;
}

static int set_named_quota(struct daemon *d, const char *arg, bool soft)
{
	char name[64];
	const char *eq = strchr(arg, '=');
	enum quota_item item;
	bool is_soft;

	if (!eq || (size_t)(eq - arg) >= sizeof(name))
		return -EINVAL;
	memcpy(name, arg, (size_t)(eq - arg));
	name[eq - arg] = '\0';
	if (quota_parse_name(&d->quotas, name, &item, &is_soft) != 0 || is_soft)
		return -EINVAL;
	if (soft && d->quotas.soft[item] == QUOTA_DISABLED)
		return -EINVAL;
	return set_quota_arg(d, item, eq + 1, soft);
}

static int set_timeout_arg(struct daemon *d, const char *arg)
{
	static const char what[] = "watch-event=";
	uint64_t v;

	if (strncmp(arg, what, sizeof(what) - 1) != 0 ||
	    xs_parse_uint(arg + sizeof(what) - 1, UINT32_MAX / 1000, &v) != 0)
		return -EINVAL;
	d->event_timeout_ms = v * 1000;
	return 0;
}

static int parse_options(int argc, char **argv, struct options *o,
			 struct daemon *d)
{
	enum { OPT_SOCKET = 256, OPT_SIM, OPT_XEN };
	static const struct option longopts[] = {
		{"no-fork", no_argument, NULL, 'N'},
		{"pid-file", required_argument, NULL, 'F'},
		{"output-pid", no_argument, NULL, 'P'},
		{"trace-file", required_argument, NULL, 'T'},
		{"verbose", no_argument, NULL, 'V'},
		{"socket", required_argument, NULL, OPT_SOCKET},
		{"sim", required_argument, NULL, OPT_SIM},
		{"xen", no_argument, NULL, OPT_XEN},
		{"entry-nb", required_argument, NULL, 'E'},
		{"entry-size", required_argument, NULL, 'S'},
		{"watch-nb", required_argument, NULL, 'W'},
		{"transaction", required_argument, NULL, 't'},
		{"perm-nb", required_argument, NULL, 'A'},
		{"path-max", required_argument, NULL, 'M'},
		{"quota", required_argument, NULL, 'Q'},
		{"quota-soft", required_argument, NULL, 'q'},
		{"timeout", required_argument, NULL, 'w'},
		{"no-domain-init", no_argument, NULL, 'D'},
		{"no-recovery", no_argument, NULL, 'R'},
		{"internal-db", optional_argument, NULL, 'I'},
		{"keep-orphans", no_argument, NULL, 'K'},
		{"help", no_argument, NULL, 'H'},
		{NULL, 0, NULL, 0},
	};
	int opt, ret = 0;

	while ((opt = getopt_long(argc, argv, "NF:PT:VE:S:W:t:A:M:Q:q:w:DRI::KH",
				  longopts, NULL)) != -1) {
		switch (opt) {
		case 'N': o->no_fork = true; break;
		case 'F': o->pid_file = optarg; break;
		case 'P': o->output_pid = true; break;
		case 'T': o->trace_file = optarg; break;
		case 'V': o->verbose = true; break;
		case OPT_SOCKET: o->socket = optarg; break;
		case OPT_SIM: o->sim_dir = optarg; break;
		case OPT_XEN: o->xen = true; break;
		case 'E': ret = set_quota_arg(d, Q_NODES, optarg, false); break;
		case 'S': ret = set_quota_arg(d, Q_NODESIZE, optarg, false); break;
		case 'W': ret = set_quota_arg(d, Q_WATCHES, optarg, false); break;
		case 't': ret = set_quota_arg(d, Q_TRANSACTIONS, optarg, false); break;
		case 'A': ret = set_quota_arg(d, Q_PERMS, optarg, false); break;
		case 'M':
			ret = set_quota_arg(d, Q_PATHMAX, optarg, false);
			if (!ret && d->quotas.hard[Q_PATHMAX] > XS_REL_PATH_MAX)
				d->quotas.hard[Q_PATHMAX] = XS_REL_PATH_MAX;
			break;
		case 'Q': ret = set_named_quota(d, optarg, false); break;
		case 'q': ret = set_named_quota(d, optarg, true); break;
		case 'w': ret = set_timeout_arg(d, optarg); break;
		case 'K': d->domains.keep_orphans = true; break;
		case 'D': case 'R': case 'I': break;
		case 'H': usage(stdout); exit(0);
		default: usage(stderr); return -EINVAL;
		}
		if (ret) {
			fprintf(stderr, "xenstored: bad value for -%c: %s\n",
				opt < 256 ? opt : '-', optarg ? optarg : "");
			return ret;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return -EINVAL;
	}
	if (!o->socket)
		o->socket = getenv("XENSTORED_PATH");
	if (!o->socket || !o->socket[0])
		o->socket = DEFAULT_SOCKET;
	if (!o->sim_dir && !o->xen) {
		const char *env = getenv("XENSTORE_SIM_DIR");
		if (env && env[0])
			o->sim_dir = env;
	}
	return 0;
}

static void backend_event(struct loop_fd *lf, uint32_t events)
{
	domains_backend_event(lf->data);
}

/* Guests come from Xen or the simulated hypervisor, if asked for. */
static int setup_backend(struct daemon *d, const struct options *o)
{
	struct backend *b = NULL;
	int ret = 0;

	if (o->xen)
		ret = backend_xen_open(&b);
	else if (o->sim_dir)
		ret = backend_sim_open(o->sim_dir, &b);
	if (ret || !b)
		return ret;
	d->domains.backend = b;
	d->backend_lf.fd = b->fd;
	d->backend_lf.handler = backend_event;
	d->backend_lf.data = d;
	ret = loop_add(&d->loop, &d->backend_lf, EPOLLIN);
	if (ret == 0)
		log_msg(LOG_LVL_INFO, "guests through the %s backend%s%s",
			b->ops->name, o->sim_dir ? " in " : "",
			o->sim_dir ? o->sim_dir : "");
	return ret;
}

static int daemonise(void)
{
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0)
		_exit(0);
	if (chdir("/") < 0)
		return -errno;
	return 0;
}

/* Close the terminal after the pid was printed (-P). */
static void finish_daemonise(void)
{
	int fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
}

static int write_pid_file(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -errno;
	fprintf(f, "%ld\n", (long)getpid());
	return fclose(f) == 0 ? 0 : -errno;
}

/* Signals arrive as reads on a signalfd: no async handler state. */
struct signals {
	struct loop_fd lf;
	struct daemon *d;
	bool stop;
};

static void signal_event(struct loop_fd *lf, uint32_t events)
{
	struct signals *s = lf->data;
	struct signalfd_siginfo si;

	while (read(lf->fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			/* Reopen the trace file for logrotate. */
			if (s->d->trace_path && s->d->trace) {
				bool on = s->d->trace_on;
				trace_open(s->d, s->d->trace_path);
				s->d->trace_on = on;
			}
			continue;
		}
		log_msg(LOG_LVL_INFO, "signal %u: shutting down", si.ssi_signo);
		s->stop = true;
	}
}

static int setup_signals(struct daemon *d, struct signals *s)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	s->d = d;
	s->stop = false;
	s->lf.fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (s->lf.fd < 0)
		return -errno;
	s->lf.handler = signal_event;
	s->lf.data = s;
	return loop_add(&d->loop, &s->lf, EPOLLIN);
}

int main(int argc, char **argv)
{
	static struct daemon d;
	struct options o = {0};
	struct sock_listener listener;
	struct signals sig = {0};
	int ret;

	ret = daemon_init(&d);
	if (ret) {
		fprintf(stderr, "xenstored: cannot initialise: %s\n", strerror(-ret));
		return 1;
	}
	if (parse_options(argc, argv, &o, &d) != 0)
		return 1;
	log_setup(!o.no_fork, o.verbose ? LOG_LVL_DEBUG : LOG_LVL_INFO);
	if (o.trace_file) {
		ret = trace_open(&d, o.trace_file);
		if (ret) {
			fprintf(stderr, "xenstored: cannot open %s: %s\n", o.trace_file,
				strerror(-ret));
			return 1;
		}
	}
	ret = setup_backend(&d, &o);
	if (ret) {
		fprintf(stderr, "xenstored: cannot open the %s backend: %s\n",
			o.xen ? "Xen" : "simulated", strerror(-ret));
		return 1;
	}
	ret = sock_listen(&d, &listener, o.socket);
	if (ret) {
		fprintf(stderr, "xenstored: cannot listen at %s: %s\n", o.socket,
			strerror(-ret));
		return 1;
	}
	if (!o.no_fork) {
		ret = daemonise();
		if (ret) {
			fprintf(stderr, "xenstored: cannot daemonise: %s\n", strerror(-ret));
			return 1;
		}
	}
	if (o.pid_file && (ret = write_pid_file(o.pid_file)) != 0)
		log_msg(LOG_LVL_WARN, "cannot write %s: %s", o.pid_file, strerror(-ret));
	if (o.output_pid) {
		printf("%ld\n", (long)getpid());
		fflush(stdout);
	}
	if (!o.no_fork)
		finish_daemonise();
	ret = setup_signals(&d, &sig);
	if (ret) {
		log_msg(LOG_LVL_ERR, "cannot set up signals: %s", strerror(-ret));
		return 1;
	}
	log_msg(LOG_LVL_INFO, "listening on %s", o.socket);

	while (!sig.stop) {
		/* Wake each second while events wait, to expire stale ones. */
		int timeout = daemon_has_pending(&d) ? 0 : d.queued_events ? 1000 : -1;
		ret = loop_run_once(&d.loop, timeout);
		if (ret < 0) {
			log_msg(LOG_LVL_ERR, "event loop: %s", strerror(-ret));
			break;
		}
		daemon_run_pending(&d);
		daemon_expire_events(&d);
	}

	sock_listener_close(&listener);
	if (o.pid_file)
		unlink(o.pid_file);
	close(sig.lf.fd);
	daemon_release(&d);
	return 0;
}
