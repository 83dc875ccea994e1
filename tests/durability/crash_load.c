/* SPDX-License-Identifier: MIT */
/*
 * Crash test for --state-dir (docs/durability.md): a load generator that
 * kills the daemon with SIGKILL at random moments and checks, after each
 * restart, that the tree is exactly what the acknowledged operations made.
 *
 *   crash_load DAEMON WORKDIR [KILLS [SEED]]
 *
 * Several connections work at once, each in its own subtree /crash/c<i>
 * (so their operations commute and each subtree's expected content is the
 * replay of that connection's acknowledged operations, in order): WRITE,
 * MKDIR, RM, SET_PERMS and transactions of several operations.  Each
 * connection has at most one request in flight; a transaction counts as
 * one unit at its TRANSACTION_END.  After a kill, a subtree must equal the
 * replay of the acknowledged units, or of those plus the unit in flight
 * (its reply may have been lost with the daemon).  CONTROL check must say
 * OK after each restart.
 *
 * Every fourth kill also simulates a power cut: the newest journal is
 * truncated at a random offset among the bytes written since the last
 * restart.  What a real power cut keeps depends on fsync; what is
 * checkable is that recovery yields, for every subtree, the replay of
 * some prefix of its units (nothing torn, nothing reordered).  The model
 * then continues from what was recovered.
 *
 * The fsync policy rotates through always, interval=5 and never, and the
 * journal is compacted often (--journal-max 65536), so kills land in
 * compactions too.  Exit 0 when every check passed; 1 with the first
 * difference otherwise.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "xenstore/wire.h"

#define NCONN 4
#define MAXNODES 64
#define VALMAX 2100
#define UNIT_OPS 5
#define HIST_MAX 4096

enum op_kind { OP_WRITE, OP_MKDIR, OP_RM, OP_PERMS };

struct op {
	enum op_kind kind;
	char path[64];
	char data[VALMAX];	/* value, or perms as "n0\0r3\0" */
	size_t len;
};

/* A unit: one request, or a transaction's operations (applied at END). */
struct unit {
	int nops;
	struct op ops[UNIT_OPS];
};

struct mnode {
	char path[64];
	char value[VALMAX];
	size_t vlen;
	char perms[64];
	size_t plen;
};

struct model {
	int n;
	struct mnode nodes[MAXNODES];
};

enum cstate { C_IDLE, C_WAIT_SINGLE, C_WAIT_START, C_WAIT_TXOP, C_WAIT_END };

struct client {
	int fd;
	int idx;
	char root[32];
	struct model acked;	/* state after every acknowledged unit */
	struct model checkpoint; /* state at the last verification */
	struct unit *hist;	/* units acknowledged since the checkpoint */
	int nhist;
	struct unit cur;	/* unit being sent */
	int sent_ops;		/* of cur, inside a transaction */
	uint32_t tx;
	enum cstate st;
	bool inflight;		/* cur may or may not have been applied */
	char rbuf[XS_HDR_SIZE + XS_PAYLOAD_MAX];
	size_t rlen;
};

static const char *g_daemon, *g_work;
static char g_sock[100], g_state[256], g_log[256];
static pid_t g_pid;
static uint32_t g_req = 1;
static uint64_t g_units, g_checks;

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("crash_load: FAIL: ", stdout);
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
	if (g_pid > 0) {
		kill(g_pid, SIGKILL);
		waitpid(g_pid, NULL, 0);
	}
	printf("crash_load: daemon log: %s\n", g_log);
	exit(1);
}

/* ---- the model ----------------------------------------------------------- */

static struct mnode *m_find(struct model *m, const char *path)
{
	for (int i = 0; i < m->n; i++)
		if (strcmp(m->nodes[i].path, path) == 0)
			return &m->nodes[i];
	return NULL;
}

static void parent_of(const char *path, char *out)
{
	strcpy(out, path);
	char *slash = strrchr(out, '/');
	*slash = '\0';
}

/* Create path and missing ancestors (within the client's root, which
 * always exists), inheriting the nearest existing ancestor's perms. */
static struct mnode *m_create(struct model *m, const char *path)
{
	struct mnode *n = m_find(m, path);
	char parent[64];

	if (n)
		return n;
	parent_of(path, parent);
	struct mnode *p = m_create(m, parent);
	if (m->n == MAXNODES)
		die("model full");
	n = &m->nodes[m->n++];
	p = m_find(m, parent); /* the array may not move, but be plain */
	snprintf(n->path, sizeof(n->path), "%s", path);
	n->vlen = 0;
	memcpy(n->perms, p->perms, p->plen);
	n->plen = p->plen;
	return n;
}

static void m_remove(struct model *m, const char *path)
{
	size_t len = strlen(path);

	for (int i = 0; i < m->n;) {
		const char *p = m->nodes[i].path;
		if (strncmp(p, path, len) == 0 && (p[len] == '\0' || p[len] == '/'))
			m->nodes[i] = m->nodes[--m->n];
		else
			i++;
	}
}

static void m_apply(struct model *m, const struct op *o)
{
	struct mnode *n;

	switch (o->kind) {
	case OP_WRITE:
		n = m_create(m, o->path);
		memcpy(n->value, o->data, o->len);
		n->vlen = o->len;
		break;
	case OP_MKDIR:
		m_create(m, o->path);
		break;
	case OP_RM:
		m_remove(m, o->path);
		break;
	case OP_PERMS:
		n = m_find(m, o->path);
		memcpy(n->perms, o->data, o->len);
		n->plen = o->len;
		break;
	}
}

static void m_apply_unit(struct model *m, const struct unit *u)
{
	for (int i = 0; i < u->nops; i++)
		m_apply(m, &u->ops[i]);
}

/* Canonical text of a model: sorted "path|value|perms" lines. */
static int line_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *m_text(const struct model *m)
{
	char *lines[MAXNODES];
	size_t total = 1;

	for (int i = 0; i < m->n; i++) {
		const struct mnode *n = &m->nodes[i];
		char perms[64];
		memcpy(perms, n->perms, n->plen);
		for (size_t k = 0; k < n->plen; k++)
			if (!perms[k])
				perms[k] = ',';
		lines[i] = malloc(strlen(n->path) + n->vlen + n->plen + 8);
		sprintf(lines[i], "%s|%.*s|%.*s\n", n->path, (int)n->vlen, n->value,
			(int)n->plen, perms);
		total += strlen(lines[i]);
	}
	qsort(lines, (size_t)m->n, sizeof(*lines), line_cmp);
	char *out = malloc(total);
	out[0] = '\0';
	for (int i = 0; i < m->n; i++) {
		strcat(out, lines[i]);
		free(lines[i]);
	}
	return out;
}

/* ---- the wire ------------------------------------------------------------ */

static int sock_connect(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memcpy(sa.sun_path, g_sock, sizeof(g_sock));
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int send_msg(int fd, uint32_t type, uint32_t tx, const void *p, size_t len)
{
	char buf[XS_HDR_SIZE + XS_PAYLOAD_MAX];
	struct xs_msg_hdr h = {.type = type, .req_id = g_req++, .tx_id = tx,
			       .len = (uint32_t)len};

	memcpy(buf, &h, sizeof(h));
	memcpy(buf + XS_HDR_SIZE, p, len);
	size_t off = 0, total = XS_HDR_SIZE + len;
	while (off < total) {
		ssize_t n = send(fd, buf + off, total - off, MSG_NOSIGNAL);
		if (n <= 0)
			return -1;
		off += (size_t)n;
	}
	return 0;
}

/* Blocking request/reply (verification only; no watches are set). */
static int request(int fd, uint32_t type, uint32_t tx, const void *p, size_t len,
		   struct xs_msg_hdr *h, char *reply)
{
	if (send_msg(fd, type, tx, p, len) != 0)
		return -1;
	size_t got = 0;
	char buf[XS_HDR_SIZE + XS_PAYLOAD_MAX];
	for (;;) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		if (poll(&pfd, 1, 20000) != 1)
			return -1;
		ssize_t n = recv(fd, buf + got, sizeof(buf) - got, 0);
		if (n <= 0)
			return -1;
		got += (size_t)n;
		if (got < XS_HDR_SIZE)
			continue;
		memcpy(h, buf, XS_HDR_SIZE);
		if (got < XS_HDR_SIZE + h->len)
			continue;
		memcpy(reply, buf + XS_HDR_SIZE, h->len);
		reply[h->len] = '\0';
		return 0;
	}
}

/* ---- the daemon ---------------------------------------------------------- */

static const char *const policies[] = {"always", "interval=5", "never"};

static void daemon_start(int round)
{
	const char *policy = policies[round % 3];

	unlink(g_sock);
	g_pid = fork();
	if (g_pid == 0) {
		int fd = open(g_log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execl(g_daemon, g_daemon, "-N", "--socket", g_sock, "--state-dir",
		      g_state, "--fsync", policy, "--journal-max", "65536",
		      (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 400; i++) {
		int fd = sock_connect();
		if (fd >= 0) {
			close(fd);
			return;
		}
		int status;
		if (waitpid(g_pid, &status, WNOHANG) == g_pid) {
			g_pid = 0;
			die("daemon exited at start (status %d)", status);
		}
		usleep(25000);
	}
	die("daemon does not answer");
}

static void daemon_kill(void)
{
	kill(g_pid, SIGKILL);
	waitpid(g_pid, NULL, 0);
	g_pid = 0;
}

/* The newest journal file: number and size. */
static bool newest_journal(uint64_t *num, off_t *size)
{
	DIR *dir = opendir(g_state);
	struct dirent *e;
	bool found = false;

	if (!dir)
		return false;
	while ((e = readdir(dir)) != NULL) {
		char *end;
		if (strncmp(e->d_name, "journal.", 8) != 0)
			continue;
		unsigned long long n = strtoull(e->d_name + 8, &end, 10);
		if (*end || (found && n <= *num))
			continue;
		*num = n;
		found = true;
	}
	closedir(dir);
	if (found) {
		char path[512];
		struct stat st;
		snprintf(path, sizeof(path), "%s/journal.%llu", g_state,
			 (unsigned long long)*num);
		*size = stat(path, &st) == 0 ? st.st_size : 0;
	}
	return found;
}

/* ---- load ---------------------------------------------------------------- */

static void rand_path(char *out, size_t size, const char *root)
{
	static const char *const names[] = {"a", "b", "c"};
	int depth = 1 + rand() % 3;
	size_t len = (size_t)snprintf(out, size, "%s", root);

	for (int i = 0; i < depth; i++)
		len += (size_t)snprintf(out + len, size - len, "/%s", names[rand() % 3]);
}

static void rand_value(struct op *o)
{
	size_t len = rand() % 8 == 0 ? 1000 + (size_t)(rand() % 1000)
				     : (size_t)(rand() % 12);

	for (size_t i = 0; i < len; i++)
		o->data[i] = (char)('a' + rand() % 26);
	o->len = len;
}

static void rand_perms(struct op *o)
{
	static const char *const sets[] = {"n0", "n0\0r3", "r0\0w5", "n5\0r0",
					   "b0\0r3\0w7"};
	static const size_t lens[] = {3, 6, 6, 6, 9};
	int k = rand() % 5;

	memcpy(o->data, sets[k], lens[k]);
	o->len = lens[k];
}

/* A random operation valid on view m (applied to it). */
static void rand_op(struct client *c, struct model *m, struct op *o)
{
	int r = rand() % 100;
	/* Existing nodes below the root, for RM and SET_PERMS. */
	int cand[MAXNODES], nc = 0;

	for (int i = 0; i < m->n; i++)
		if (strcmp(m->nodes[i].path, c->root) != 0)
			cand[nc++] = i;
	if ((r >= 55 && nc == 0) || m->n > MAXNODES - 8)
		r = m->n > MAXNODES - 8 ? 60 : 0;
	if (r < 45) {
		o->kind = OP_WRITE;
		rand_path(o->path, sizeof(o->path), c->root);
		rand_value(o);
	} else if (r < 55) {
		o->kind = OP_MKDIR;
		rand_path(o->path, sizeof(o->path), c->root);
		o->len = 0;
	} else if (r < 80) {
		o->kind = OP_RM;
		snprintf(o->path, sizeof(o->path), "%s", m->nodes[cand[rand() % nc]].path);
		o->len = 0;
	} else {
		o->kind = OP_PERMS;
		snprintf(o->path, sizeof(o->path), "%s", m->nodes[cand[rand() % nc]].path);
		rand_perms(o);
	}
	m_apply(m, o);
}

static void send_op(struct client *c, const struct op *o, uint32_t tx)
{
	char buf[XS_PAYLOAD_MAX];
	size_t plen = strlen(o->path) + 1;
	uint32_t type;

	memcpy(buf, o->path, plen);
	switch (o->kind) {
	case OP_WRITE:
		type = XS_WRITE;
		plen -= 1; /* WRITE: path NUL value, value not terminated */
		buf[plen++] = '\0';
		memcpy(buf + plen, o->data, o->len);
		plen += o->len;
		break;
	case OP_MKDIR: type = XS_MKDIR; break;
	case OP_RM: type = XS_RM; break;
	default:
		type = XS_SET_PERMS;
		memcpy(buf + plen, o->data, o->len);
		plen += o->len;
		break;
	}
	if (send_msg(c->fd, type, tx, buf, plen) != 0)
		c->st = C_IDLE; /* the daemon is gone: noticed by the caller */
}

static void start_unit(struct client *c)
{
	struct model view = c->acked;

	if (rand() % 4 == 0) {
		c->cur.nops = 1 + rand() % (UNIT_OPS - 1);
		for (int i = 0; i < c->cur.nops; i++)
			rand_op(c, &view, &c->cur.ops[i]);
		c->sent_ops = 0;
		c->st = C_WAIT_START;
		send_msg(c->fd, XS_TRANSACTION_START, 0, "", 1);
		return;
	}
	c->cur.nops = 1;
	rand_op(c, &view, &c->cur.ops[0]);
	c->st = C_WAIT_SINGLE;
	c->inflight = true;
	send_op(c, &c->cur.ops[0], 0);
}

static void unit_acked(struct client *c)
{
	m_apply_unit(&c->acked, &c->cur);
	if (c->nhist == HIST_MAX)
		die("history full");
	c->hist[c->nhist++] = c->cur;
	c->inflight = false;
	c->st = C_IDLE;
	g_units++;
}

static void on_reply(struct client *c, const struct xs_msg_hdr *h, const char *p)
{
	if (h->type == XS_ERROR) {
		/* A transaction may be refused (EAGAIN); nothing changed. */
		if (c->st == C_WAIT_END && strcmp(p, "EAGAIN") == 0) {
			c->inflight = false;
			c->st = C_IDLE;
			return;
		}
		die("%s: unexpected error %s in state %d", c->root, p, c->st);
	}
	switch (c->st) {
	case C_WAIT_SINGLE:
		unit_acked(c);
		break;
	case C_WAIT_START:
		c->tx = (uint32_t)strtoul(p, NULL, 10);
		c->st = C_WAIT_TXOP;
		send_op(c, &c->cur.ops[c->sent_ops++], c->tx);
		break;
	case C_WAIT_TXOP:
		if (c->sent_ops < c->cur.nops) {
			send_op(c, &c->cur.ops[c->sent_ops++], c->tx);
		} else {
			c->st = C_WAIT_END;
			c->inflight = true;
			send_msg(c->fd, XS_TRANSACTION_END, c->tx, "T", 2);
		}
		break;
	case C_WAIT_END:
		unit_acked(c);
		break;
	default:
		die("%s: reply while idle", c->root);
	}
}

/* Read what a client has; false when the daemon closed it. */
static bool client_read(struct client *c)
{
	ssize_t n = recv(c->fd, c->rbuf + c->rlen, sizeof(c->rbuf) - c->rlen,
			 MSG_DONTWAIT);
	if (n == 0 || (n < 0 && errno != EAGAIN))
		return false;
	if (n > 0)
		c->rlen += (size_t)n;
	while (c->rlen >= XS_HDR_SIZE) {
		struct xs_msg_hdr h;
		char payload[XS_PAYLOAD_MAX + 1];
		memcpy(&h, c->rbuf, XS_HDR_SIZE);
		if (c->rlen < XS_HDR_SIZE + h.len)
			break;
		memcpy(payload, c->rbuf + XS_HDR_SIZE, h.len);
		payload[h.len] = '\0';
		memmove(c->rbuf, c->rbuf + XS_HDR_SIZE + h.len,
			c->rlen - XS_HDR_SIZE - h.len);
		c->rlen -= XS_HDR_SIZE + h.len;
		on_reply(c, &h, payload);
	}
	return true;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Run load for ms milliseconds, then kill the daemon mid-flight. */
static void run_load(struct client *cl, int ms)
{
	uint64_t end = now_ms() + (uint64_t)ms;

	while (now_ms() < end) {
		struct pollfd pfd[NCONN];
		for (int i = 0; i < NCONN; i++) {
			if (cl[i].st == C_IDLE)
				start_unit(&cl[i]);
			pfd[i] = (struct pollfd){.fd = cl[i].fd, .events = POLLIN};
		}
		if (poll(pfd, NCONN, 5) < 0)
			die("poll: %s", strerror(errno));
		for (int i = 0; i < NCONN; i++)
			if ((pfd[i].revents & (POLLIN | POLLHUP | POLLERR)) &&
			    !client_read(&cl[i]))
				die("connection %d closed by the daemon", i);
	}
	daemon_kill();
	/* Replies that reached our sockets before the kill count as acked. */
	for (int i = 0; i < NCONN; i++) {
		for (;;) {
			struct pollfd p = {.fd = cl[i].fd, .events = POLLIN};
			if (poll(&p, 1, 0) != 1 || !client_read(&cl[i]))
				break;
		}
		close(cl[i].fd);
		cl[i].fd = -1;
		cl[i].rlen = 0;
		/* A transaction whose END was not sent died with the daemon. */
		if (cl[i].st != C_WAIT_SINGLE && cl[i].st != C_WAIT_END)
			cl[i].inflight = false;
		cl[i].st = C_IDLE;
	}
}

/* ---- verification ------------------------------------------------------- */

static void dump_node(int fd, const char *path, struct model *m)
{
	struct xs_msg_hdr h;
	char reply[XS_PAYLOAD_MAX + 1];
	struct mnode *n;

	if (m->n == MAXNODES)
		die("dump: too many nodes below %s", path);
	n = &m->nodes[m->n++];
	snprintf(n->path, sizeof(n->path), "%s", path);
	if (request(fd, XS_READ, 0, path, strlen(path) + 1, &h, reply) != 0 ||
	    h.type != XS_READ)
		die("dump: READ %s failed", path);
	memcpy(n->value, reply, h.len);
	n->vlen = h.len;
	if (request(fd, XS_GET_PERMS, 0, path, strlen(path) + 1, &h, reply) != 0 ||
	    h.type != XS_GET_PERMS || h.len > sizeof(n->perms))
		die("dump: GET_PERMS %s failed", path);
	memcpy(n->perms, reply, h.len);
	n->plen = h.len;
	if (request(fd, XS_DIRECTORY, 0, path, strlen(path) + 1, &h, reply) != 0 ||
	    h.type != XS_DIRECTORY)
		die("dump: DIRECTORY %s failed", path);
	char names[XS_PAYLOAD_MAX + 1];
	size_t nlen = h.len;
	memcpy(names, reply, nlen);
	for (size_t off = 0; off < nlen;) {
		const char *name = names + off;
		size_t len = strlen(name);
		if (len) {
			char child[64];
			snprintf(child, sizeof(child), "%s/%s", path, name);
			dump_node(fd, child, m);
		}
		off += len + 1;
	}
}

static bool same(const struct model *a, const struct model *b)
{
	char *ta = m_text(a), *tb = m_text(b);
	bool eq = strcmp(ta, tb) == 0;

	free(ta);
	free(tb);
	return eq;
}

static void report(const char *what, const struct client *c,
		   const struct model *actual, const struct model *want)
{
	char *ta = m_text(actual), *tw = m_text(want);

	printf("crash_load: %s %s\n--- expected:\n%s--- actual:\n%s", what, c->root,
	       tw, ta);
	free(ta);
	free(tw);
	die("%s: tree differs", c->root);
}

/* After a restart: each subtree must be the replay of the acknowledged
 * units (+ the one in flight), or with power_cut of any prefix. */
static void verify(struct client *cl, bool power_cut)
{
	int fd = sock_connect();
	struct xs_msg_hdr h;
	char reply[XS_PAYLOAD_MAX + 1];

	if (fd < 0)
		die("cannot connect after restart");
	if (request(fd, XS_CONTROL, 0, "check", 6, &h, reply) != 0 ||
	    h.type != XS_CONTROL || strncmp(reply, "OK", 2) != 0)
		die("CONTROL check after restart: %s", reply);
	for (int i = 0; i < NCONN; i++) {
		struct client *c = &cl[i];
		struct model *actual = calloc(1, sizeof(*actual));
		struct model *want = malloc(sizeof(*want));
		bool ok = false;

		dump_node(fd, c->root, actual);
		if (!power_cut) {
			*want = c->acked;
			ok = same(actual, want);
			if (!ok && c->inflight) {
				m_apply_unit(want, &c->cur);
				ok = same(actual, want);
				if (ok)
					c->acked = *want;
			}
			if (!ok)
				report("after a kill:", c, actual, &c->acked);
		} else {
			*want = c->checkpoint;
			ok = same(actual, want);
			for (int k = 0; !ok && k < c->nhist; k++) {
				m_apply_unit(want, &c->hist[k]);
				ok = same(actual, want);
			}
			if (!ok && c->inflight) {
				m_apply_unit(want, &c->cur);
				ok = same(actual, want);
			}
			if (!ok)
				report("after a power cut: no prefix of the history gives",
				       c, actual, &c->acked);
			c->acked = *actual; /* continue from what was recovered */
		}
		c->checkpoint = c->acked;
		c->nhist = 0;
		c->inflight = false;
		g_checks++;
		free(actual);
		free(want);
	}
	close(fd);
}

static void connect_all(struct client *cl)
{
	for (int i = 0; i < NCONN; i++) {
		cl[i].fd = sock_connect();
		if (cl[i].fd < 0)
			die("cannot connect");
		cl[i].st = C_IDLE;
		cl[i].rlen = 0;
	}
}

int main(int argc, char **argv)
{
	static struct client cl[NCONN];
	int kills = argc > 3 ? atoi(argv[3]) : 30;
	unsigned int seed = argc > 4 ? (unsigned int)strtoul(argv[4], NULL, 10)
				     : (unsigned int)time(NULL);
	struct xs_msg_hdr h;
	char reply[XS_PAYLOAD_MAX + 1];
	int power_cuts = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: crash_load DAEMON WORKDIR [KILLS [SEED]]\n");
		return 2;
	}
	g_daemon = argv[1];
	g_work = argv[2];
	srand(seed);
	printf("crash_load: seed %u, %d kills\n", seed, kills);
	if (strlen(g_work) > sizeof(g_sock) - 8) {
		fprintf(stderr, "crash_load: %s: path too long for a socket\n", g_work);
		return 2;
	}
	snprintf(g_sock, sizeof(g_sock), "%s/sock", g_work);
	snprintf(g_state, sizeof(g_state), "%s/state", g_work);
	snprintf(g_log, sizeof(g_log), "%s/daemon.log", g_work);
	mkdir(g_work, 0700);
	daemon_start(0);
	for (int i = 0; i < NCONN; i++) {
		struct client *c = &cl[i];
		c->idx = i;
		snprintf(c->root, sizeof(c->root), "/crash/c%d", i);
		c->hist = malloc(HIST_MAX * sizeof(*c->hist));
		int fd = sock_connect();
		if (fd < 0 || request(fd, XS_WRITE, 0, c->root, strlen(c->root) + 1,
				      &h, reply) != 0 || h.type != XS_WRITE)
			die("cannot create %s", c->root);
		close(fd);
		struct mnode *n = &c->acked.nodes[c->acked.n++];
		snprintf(n->path, sizeof(n->path), "%s", c->root);
		memcpy(n->perms, "n0", 3);
		n->plen = 3;
		c->checkpoint = c->acked;
	}
	connect_all(cl);
	uint64_t jnum = 0;
	off_t jstart = 0;
	newest_journal(&jnum, &jstart);
	for (int k = 1; k <= kills; k++) {
		run_load(cl, 20 + rand() % 150);
		bool cut = k % 4 == 0;
		uint64_t num = 0;
		off_t size = 0;
		if (cut && newest_journal(&num, &size)) {
			off_t from = num == jnum ? jstart : 0;
			off_t at = size > from ? from + rand() % (size - from + 1) : size;
			char path[512];
			snprintf(path, sizeof(path), "%s/journal.%llu", g_state,
				 (unsigned long long)num);
			if (truncate(path, at) != 0)
				die("truncate %s: %s", path, strerror(errno));
			power_cuts++;
		}
		daemon_start(k);
		verify(cl, cut);
		newest_journal(&jnum, &jstart);
		connect_all(cl);
	}
	for (int i = 0; i < NCONN; i++) {
		close(cl[i].fd);
		free(cl[i].hist);
	}
	kill(g_pid, SIGTERM);
	waitpid(g_pid, NULL, 0);
	printf("crash_load: ok - %d kills (%d with a power cut), %llu units "
	       "acknowledged, %llu subtree checks\n", kills, power_cuts,
	       (unsigned long long)g_units, (unsigned long long)g_checks);
	return 0;
}
