/* SPDX-License-Identifier: MIT */
/*
 * Live update; see lu.h.
 *
 * Design note on the hand-over.  Everything the new process needs is in
 * the stream except the file descriptors, which survive execve() when
 * FD_CLOEXEC is clear.  Every fd of the process is first marked
 * close-on-exec (close_range), then the flag is cleared on exactly the
 * listening socket, the client sockets and the memfd holding the stream:
 * nothing else leaks into the new binary, however many updates run in a
 * row.  The new binary gets the memfd's number as `--live-update-fd N`;
 * the stream names the socket fds (GLOBAL_DATA, CONNECTION_DATA), which
 * keep their numbers across exec.  The pid stays the same, so the pid
 * file and the parent's view of the daemon stay right.
 *
 * If execve() fails the old process still has every fd and all its
 * state: it restores the close-on-exec flags, answers the live-update
 * request with the reason, and carries on.
 */
#include "lu.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/codec.h"
#include "conn.h"
#include "daemon.h"
#include "dispatch.h"
#include "log.h"
#include "stream.h"
#include "transport_sock.h"

#define LU_FD_OPTION "--live-update-fd"
#define LU_MAX_ARGS 64

struct lu {
	int argc;
	char **argv;		/* the process's own (not owned) */
	char *binary;		/* -f, owned; NULL: this binary again */
	char *cmdline;		/* -c, owned; NULL: the same options */
	bool due;		/* -s accepted, waiting for the quiet point */
	uint32_t conn_id, req_id, tx_id; /* the -s request to answer */
	uint64_t asked_ms;	/* when -s came (for the log) */
};

int lu_init(struct daemon *d, int argc, char **argv)
{
	struct lu *lu = calloc(1, sizeof(*lu));

	if (!lu)
		return -ENOMEM;
	lu->argc = argc;
	lu->argv = argv;
	d->lu = lu;
	return 0;
}

void lu_release(struct daemon *d)
{
	if (!d->lu)
		return;
	free(d->lu->binary);
	free(d->lu->cmdline);
	free(d->lu);
	d->lu = NULL;
}

bool lu_due(const struct daemon *d)
{
	return d->lu && d->lu->due;
}

static int set_string(char **slot, const char *value)
{
	char *copy = strdup(value);

	if (!copy)
		return -ENOMEM;
	free(*slot);
	*slot = copy;
	return 0;
}

/* -s [-t SEC] [-F] [-v N]: the update runs at the quiet point. */
static int lu_start(struct request *r, struct lu *lu, unsigned int argc,
		    const char **argv)
{
	uint64_t v;

	for (unsigned int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "-F") == 0)
			continue; /* transactions survive: nothing to force */
		if ((strcmp(argv[i], "-t") == 0 || strcmp(argv[i], "-v") == 0) &&
		    i + 1 < argc && xs_parse_uint(argv[i + 1], UINT32_MAX, &v) == 0) {
			i++;
			continue;
		}
		return -EINVAL;
	}
	if (lu->binary && access(lu->binary, X_OK) != 0)
		return reply_str(&r->reply, "Binary not executable");
	lu->due = true;
	lu->conn_id = r->conn->id;
	lu->req_id = r->hdr.req_id;
	lu->tx_id = r->hdr.tx_id;
	lu->asked_ms = daemon_now_ms();
	/* Answered by the new process, once it runs. */
	r->reply_later = true;
	return 0;
}

int lu_control(struct request *r, unsigned int argc, const char **argv)
{
	struct lu *lu = r->d->lu;
	int ret;

	if (!lu || argc == 0)
		return -EINVAL;
	if (strcmp(argv[0], "-s") == 0)
		return lu_start(r, lu, argc - 1, argv + 1);
	if (strcmp(argv[0], "-a") == 0 && argc == 1) {
		lu->due = false;
		free(lu->binary);
		free(lu->cmdline);
		lu->binary = lu->cmdline = NULL;
		return reply_ok(&r->reply);
	}
	if (strcmp(argv[0], "-f") == 0 && argc == 2) {
		if (argv[1][0] != '/' || access(argv[1], X_OK) != 0)
			return reply_str(&r->reply, "Binary not executable");
		ret = set_string(&lu->binary, argv[1]);
		return ret ? ret : reply_ok(&r->reply);
	}
	if (strcmp(argv[0], "-c") == 0 && argc == 2) {
		ret = set_string(&lu->cmdline, argv[1]);
		return ret ? ret : reply_ok(&r->reply);
	}
	if (strcmp(argv[0], "-b") == 0 || strcmp(argv[0], "-d") == 0)
		return reply_str(&r->reply,
				 "Binary upload is for a stub domain; use -f <file>");
	return -EINVAL;
}

int lu_state_save(struct request *r, unsigned int argc, const char **argv)
{
	struct stream_save_opts o = {.listen_fd = -1};

	if (argc != 1 || argv[0][0] != '/')
		return -EINVAL;
	int fd = open(argv[0], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	int ret = stream_save(r->d, &o, fd);
	if (close(fd) < 0 && ret == 0)
		ret = -errno;
	return ret ? ret : reply_ok(&r->reply);
}

/* The binary's arguments: -c's words, or our own minus the hand-over. */
static int build_argv(const struct lu *lu, const char *binary, char *words,
		      int fd, char *fdbuf, size_t fdsize, char **out)
{
	int n = 0;

	out[n++] = (char *)binary;
	if (words) {
		for (char *save, *w = strtok_r(words, " \t", &save); w;
		     w = strtok_r(NULL, " \t", &save)) {
			if (n >= LU_MAX_ARGS - 3)
				return -E2BIG;
			out[n++] = w;
		}
	} else {
		for (int i = 1; i < lu->argc; i++) {
			if (strcmp(lu->argv[i], LU_FD_OPTION) == 0 ||
			    strcmp(lu->argv[i], "--restore") == 0) {
				i++; /* and its value */
				continue;
			}
			if (n >= LU_MAX_ARGS - 3)
				return -E2BIG;
			out[n++] = lu->argv[i];
		}
	}
	snprintf(fdbuf, fdsize, "%d", fd);
	out[n++] = (char *)LU_FD_OPTION;
	out[n++] = fdbuf;
	out[n] = NULL;
	return 0;
}

static void set_cloexec(int fd, bool on)
{
	int fl = fcntl(fd, F_GETFD);

	if (fl >= 0)
		fcntl(fd, F_SETFD, on ? fl | FD_CLOEXEC : fl & ~FD_CLOEXEC);
}

/* Clear (or set again) close-on-exec on the fds the new process takes. */
static void hand_over_fds(struct daemon *d, int listen_fd, int mfd, bool keep)
{
	if (keep)
		close_range(3, ~0u, CLOSE_RANGE_CLOEXEC);
	set_cloexec(listen_fd, !keep);
	set_cloexec(mfd, !keep);
	for (struct conn *c = d->conns; c; c = c->next) {
		int fd = sock_conn_fd(c);
		if (fd >= 0)
			set_cloexec(fd, !keep);
	}
}

static struct conn *conn_with_id(struct daemon *d, uint32_t id)
{
	for (struct conn *c = d->conns; c; c = c->next)
		if (c->id == id && !c->dead)
			return c;
	return NULL;
}

void lu_run(struct daemon *d, const struct sock_listener *l)
{
	struct lu *lu = d->lu;
	char exe[4096], fdbuf[16], why[256];
	char *argv[LU_MAX_ARGS];
	char *words = NULL;
	const char *binary = lu->binary;
	int ret = 0, mfd = -1;
	struct conn *req = conn_with_id(d, lu->conn_id);

	lu->due = false;
	if (!binary) {
		ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		if (n < 0) {
			snprintf(why, sizeof(why), "cannot find own binary: %s",
				 strerror(errno));
			goto failed;
		}
		exe[n] = '\0';
		binary = exe;
	}
	struct stream_save_opts o = {
		.live_update = true, .listen_fd = l->lf.fd, .reply = req != NULL,
		.reply_conn = lu->conn_id, .reply_req = lu->req_id,
		.reply_tx = lu->tx_id,
	};
	mfd = memfd_create("xenstored-state", MFD_CLOEXEC);
	if (mfd < 0 || (ret = stream_save(d, &o, mfd)) != 0) {
		snprintf(why, sizeof(why), "cannot save the state: %s",
			 strerror(mfd < 0 ? errno : -ret));
		goto failed;
	}
	if (lu->cmdline && !(words = strdup(lu->cmdline))) {
		snprintf(why, sizeof(why), "out of memory");
		goto failed;
	}
	if (build_argv(lu, binary, words, mfd, fdbuf, sizeof(fdbuf), argv) != 0) {
		snprintf(why, sizeof(why), "command line too long");
		goto failed;
	}
	log_msg(LOG_LVL_INFO, "live update: exec %s (state %" PRId64 " bytes)",
		binary, (int64_t)lseek(mfd, 0, SEEK_END));
	if (d->trace)
		fflush(d->trace);
	fflush(NULL);
	hand_over_fds(d, l->lf.fd, mfd, true);
	execv(binary, argv);
	ret = errno;
	hand_over_fds(d, l->lf.fd, mfd, false);
	snprintf(why, sizeof(why), "exec %.200s: %s", binary, strerror(ret));
failed:
	free(words);
	if (mfd >= 0)
		close(mfd);
	log_msg(LOG_LVL_ERR, "live update failed: %s", why);
	if (req)
		conn_queue(req, XS_CONTROL, lu->req_id, lu->tx_id, why,
			   strlen(why) + 1, false);
}

int lu_resume(struct daemon *d, int fd, struct sock_listener *l,
	      const char *socket_path)
{
	struct stream_loaded got;
	char err[256];
	uint64_t t0 = daemon_now_ms();
	int ret = stream_load_fd(d, fd, STREAM_LOAD_LIVE, &got, err, sizeof(err));

	close(fd);
	if (ret) {
		log_msg(LOG_LVL_ERR, "live update: cannot restore the state: %s",
			err[0] ? err : strerror(-ret));
		return ret;
	}
	if (got.listen_fd < 0) {
		log_msg(LOG_LVL_ERR, "live update: no listening socket handed over");
		return -EBADF;
	}
	ret = sock_listen_adopt(d, l, got.listen_fd, socket_path);
	if (ret) {
		log_msg(LOG_LVL_ERR, "live update: cannot listen again: %s",
			strerror(-ret));
		return ret;
	}
	if (got.reply_conn)
		conn_queue(got.reply_conn, XS_CONTROL, got.reply_req, got.reply_tx,
			   "OK", 3, false);
	log_msg(LOG_LVL_INFO,
		"live update: restored %u nodes, %u domains, %u connections, "
		"%u watches, %u transactions (%u records skipped) in %" PRIu64 " ms",
		got.nodes, got.domains, got.conns, got.watches, got.txns,
		got.skipped, daemon_now_ms() - t0);
	return 0;
}

int lu_load_file(struct daemon *d, const char *path)
{
	struct stream_loaded got;
	char err[256];
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	int ret = stream_load_fd(d, fd, STREAM_LOAD_STATE, &got, err, sizeof(err));
	close(fd);
	if (ret) {
		fprintf(stderr, "xenstored: cannot load %s: %s\n", path,
			err[0] ? err : strerror(-ret));
		return ret;
	}
	log_msg(LOG_LVL_INFO, "loaded %u nodes and %u domains from %s", got.nodes,
		got.domains, path);
	return 0;
}
