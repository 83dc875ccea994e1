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
#include "journal.h"
#include "log.h"
#include "recover.h"
#include "lu.h"
#include "sd_notify.h"
#include "trace.h"
#include "transport_sock.h"

#define DEFAULT_SOCKET "/var/run/xenstored/socket"

struct options {
	bool no_fork;
	bool output_pid;
	bool verbose;
	const char *log_file;	/* --log-file: "syslog", "stderr" or a path */
	const char *log_level;	/* --log-level */
	const char *pid_file;
	const char *trace_file;
	const char *socket;
	const char *sim_dir;
	const char *lu_fd;	/* --live-update-fd: state from the old process */
	const char *restore;	/* --restore FILE */
	bool xen;
	struct state_config state; /* --state-dir and its options */
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
	      "      --log-file DEST      log to DEST: syslog, stderr or a file\n"
	      "                           (default stderr with -N, else syslog)\n"
	      "      --log-level LEVEL    error, warn, info (default) or debug\n"
	      "      --socket PATH        listen at PATH (default $XENSTORED_PATH,\n"
	      "                           else " DEFAULT_SOCKET ")\n"
	      "      --sim DIR            guests from the simulated hypervisor in DIR\n"
	      "                           (default $XENSTORE_SIM_DIR; docs/sim.md)\n"
	      "      --xen                guests from Xen (needs a Xen build)\n"
	      "      --restore FILE       start from the nodes, domains and quotas\n"
	      "                           saved by `xenstore-control state-save`\n"
	      "      --state-dir DIR      keep the state in DIR and recover it at\n"
	      "                           start (off by default; production: "
	      STATE_DIR_PRODUCTION ")\n"
	      "      --fsync POLICY       always (default), interval=MS or never\n"
	      "      --journal-max BYTES  compact the journal past this size\n"
	      "                           (default 16 MiB, or twice the snapshot)\n"
	      "      --state-recover MODE strict (default) or partial: start with\n"
	      "                           what is valid of a damaged state\n"
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
	enum { OPT_SOCKET = 256, OPT_SIM, OPT_XEN, OPT_LOG_FILE, OPT_LOG_LEVEL,
	       OPT_LU_FD, OPT_RESTORE, OPT_STATE_DIR, OPT_FSYNC, OPT_JOURNAL_MAX,
	       OPT_STATE_RECOVER };
	static const struct option longopts[] = {
		{"no-fork", no_argument, NULL, 'N'},
		{"pid-file", required_argument, NULL, 'F'},
		{"output-pid", no_argument, NULL, 'P'},
		{"trace-file", required_argument, NULL, 'T'},
		{"verbose", no_argument, NULL, 'V'},
		{"log-file", required_argument, NULL, OPT_LOG_FILE},
		{"log-level", required_argument, NULL, OPT_LOG_LEVEL},
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
		{"live-update-fd", required_argument, NULL, OPT_LU_FD},
		{"restore", required_argument, NULL, OPT_RESTORE},
		{"state-dir", required_argument, NULL, OPT_STATE_DIR},
		{"fsync", required_argument, NULL, OPT_FSYNC},
		{"journal-max", required_argument, NULL, OPT_JOURNAL_MAX},
		{"state-recover", required_argument, NULL, OPT_STATE_RECOVER},
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
		case OPT_LOG_FILE: o->log_file = optarg; break;
		case OPT_LOG_LEVEL: o->log_level = optarg; break;
		case OPT_SOCKET: o->socket = optarg; break;
		case OPT_SIM: o->sim_dir = optarg; break;
		case OPT_XEN: o->xen = true; break;
		case OPT_LU_FD: o->lu_fd = optarg; break;
		case OPT_RESTORE: o->restore = optarg; break;
		case OPT_STATE_DIR: o->state.dir = optarg; break;
		case OPT_FSYNC: ret = state_parse_fsync(&o->state, optarg); break;
		case OPT_JOURNAL_MAX: ret = state_parse_max(&o->state, optarg); break;
		case OPT_STATE_RECOVER:
			ret = state_parse_recover(&o->state, optarg);
			break;
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

/* --log-file and --log-level; syslog by default once we leave the terminal. */
static int setup_log(const struct options *o)
{
	enum log_dest dest = o->no_fork ? LOG_TO_STDERR : LOG_TO_SYSLOG;
	enum log_level level = o->verbose ? LOG_LVL_DEBUG : LOG_LVL_INFO;
	int ret;

	if (o->log_level && log_level_parse(o->log_level, &level) != 0) {
		fprintf(stderr, "xenstored: bad --log-level: %s\n", o->log_level);
		return -EINVAL;
	}
	if (o->log_file && strcmp(o->log_file, "syslog") == 0)
		dest = LOG_TO_SYSLOG;
	else if (o->log_file && strcmp(o->log_file, "stderr") == 0)
		dest = LOG_TO_STDERR;
	else if (o->log_file)
		dest = LOG_TO_FILE;
	ret = log_setup(dest, o->log_file, level);
	if (ret)
		fprintf(stderr, "xenstored: cannot open %s: %s\n", o->log_file,
			strerror(-ret));
	return ret;
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
			/* Reopen the log and trace files for logrotate. */
			int ret = log_reopen();
			if (ret)
				log_msg(LOG_LVL_ERR, "cannot reopen the log: %s",
					strerror(-ret));
			ret = trace_reopen(s->d);
			if (ret)
				log_msg(LOG_LVL_ERR, "cannot reopen the trace: %s",
					strerror(-ret));
			continue;
		}
		if (si.ssi_signo == SIGCHLD) {
			journal_reap(s->d); /* the snapshot writer */
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
	sigaddset(&set, SIGCHLD);
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

/*
 * --state-dir: recover what the directory holds (unless the state came
 * from elsewhere: live update, --restore; then a new chain starts from
 * it) and start journalling.  Exit status on failure: 1, or
 * RECOVER_EXIT_DAMAGED when the state is damaged.
 */
static int setup_state(struct daemon *d, const struct options *o,
		       struct journal *j)
{
	struct recovery *r = NULL;
	bool fresh = true;
	int ret;

	if (!o->state.dir)
		return 0;
	if (o->lu_fd || o->restore) {
		struct state_config cfg = o->state;
		cfg.partial = true; /* only to find the numbers in use */
		ret = recover_scan(&cfg, j);
	} else {
		ret = recover_load(d, &o->state, j, &r, &fresh);
		if (!ret)
			ret = recover_restore(d, r);
	}
	if (!ret)
		ret = journal_start(d, j, fresh);
	if (r)
		recover_finish(d, r);
	if (ret == RECOVER_DAMAGED)
		return RECOVER_EXIT_DAMAGED;
	if (ret) {
		fprintf(stderr, "xenstored: cannot use the state in %s: %s\n",
			o->state.dir, strerror(-ret));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct daemon d;
	struct options o = {0};
	struct sock_listener listener;
	struct signals sig = {0};
	static struct journal journal;
	int ret;

	state_config_defaults(&o.state);
	ret = daemon_init(&d);
	if (ret) {
		fprintf(stderr, "xenstored: cannot initialise: %s\n", strerror(-ret));
		return 1;
	}
	if (parse_options(argc, argv, &o, &d) != 0)
		return 1;
	if (setup_log(&o) != 0)
		return 1;
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
	if (lu_init(&d, argc, argv) != 0)
		return 1;
	if (o.lu_fd) {
		/* Live update: everything comes from the old process. */
		uint64_t fd;
		if (xs_parse_uint(o.lu_fd, INT32_MAX, &fd) != 0 ||
		    lu_resume(&d, (int)fd, &listener, o.socket) != 0)
			return 1;
		o.no_fork = true; /* already a daemon, with the same pid */
		o.output_pid = false;
	} else {
		if (o.restore && lu_load_file(&d, o.restore) != 0)
			return 1;
	}
	/* Recovered before anyone is served. */
	ret = setup_state(&d, &o, &journal);
	if (ret)
		return ret;
	if (!o.lu_fd) {
		ret = sock_listen(&d, &listener, o.socket);
		if (ret) {
			fprintf(stderr, "xenstored: cannot listen at %s: %s\n",
				o.socket, strerror(-ret));
			return 1;
		}
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
	/* Under systemd (Type=notify): clients and guests can be served now. */
	ret = sd_notify_ready("listening on %s", o.socket);
	if (ret)
		log_msg(LOG_LVL_WARN, "cannot notify $NOTIFY_SOCKET: %s", strerror(-ret));

	while (!sig.stop) {
		/* Wake each second while events wait, to expire stale ones,
		 * and often while a connection waits for write credit. */
		int timeout = daemon_has_pending(&d) ? 0
			      : d.quota_waiting	   ? 10
			      : d.queued_events	   ? 1000
						   : -1;
		int jt = journal_timeout_ms(&d);
		if (jt >= 0 && (timeout < 0 || jt < timeout))
			timeout = jt;
		ret = loop_run_once(&d.loop, timeout);
		if (ret < 0) {
			log_msg(LOG_LVL_ERR, "event loop: %s", strerror(-ret));
			break;
		}
		daemon_run_pending(&d);
		journal_tick(&d);
		daemon_expire_events(&d);
		if (lu_due(&d))
			lu_run(&d, &listener); /* returns only on failure */
	}

	sd_notify_stopping();
	sock_listener_close(&listener);
	if (o.pid_file)
		unlink(o.pid_file);
	close(sig.lf.fd);
	lu_release(&d);
	journal_close(&d);
	daemon_release(&d);
	log_close();
	return 0;
}
