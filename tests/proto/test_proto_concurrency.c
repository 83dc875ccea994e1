/* SPDX-License-Identifier: MIT */
/*
 * Randomized concurrency: several clients run transactions and plain
 * operations on overlapping keys at once.  Afterwards the tree must equal a
 * serial replay of exactly the operations that were acknowledged - plain
 * ones when they succeeded, a transaction's when its commit succeeded - in
 * the order the daemon processed them, which its access trace (-T) records.
 * A lost update or a phantom commit makes the trees differ.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "expect.h"
#include "proto.h"

#define CLIENTS 4
#define ROUNDS 300
#define MODEL_MAX 4096

static struct daemon_proc dp;
static char trace_path[128];

static const char *const keys[] = {
	"/r/a", "/r/a/x", "/r/a/y", "/r/a/z", "/r/b", "/r/b/x",
	"/r/b/y", "/r/b/z", "/r/c", "/r/c/deep/x",
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

struct worker {
	int id;
	unsigned int seed;
	int commits, conflicts;
};

static int send_op(int fd, uint32_t tx, int kind, const char *key,
		   const char *value, struct xmsg *m)
{
	char buf[256];
	size_t klen = strlen(key) + 1;

	memcpy(buf, key, klen);
	switch (kind) {
	case 0: /* write */
		memcpy(buf + klen, value, strlen(value));
		return xreq(fd, XS_WRITE, tx, buf, klen + strlen(value), m);
	case 1:
		return xreq(fd, XS_RM, tx, buf, klen, m);
	case 2:
		return xreq(fd, XS_MKDIR, tx, buf, klen, m);
	case 3:
		return xreq(fd, XS_READ, tx, buf, klen, m);
	default:
		return xreq(fd, XS_DIRECTORY, tx, buf, klen, m);
	}
}

static void *worker_main(void *arg)
{
	struct worker *wk = arg;
	int fd = xconn(&dp);
	struct xmsg m;
	char value[32];

	if (fd < 0)
		return NULL;
	for (int i = 0; i < ROUNDS; i++) {
		snprintf(value, sizeof(value), "w%dv%d", wk->id, i);
		if (rand_r(&wk->seed) % 2) {
			if (XREQ(fd, XS_TRANSACTION_START, 0, "\0", &m) != 0 ||
			    m.hdr.type != XS_TRANSACTION_START)
				break;
			uint32_t tx = (uint32_t)strtoul(m.payload, NULL, 10);
			int nops = 1 + (int)(rand_r(&wk->seed) % 4);
			for (int k = 0; k < nops; k++)
				send_op(fd, tx, (int)(rand_r(&wk->seed) % 5),
					keys[rand_r(&wk->seed) % NKEYS], value, &m);
			bool abort = rand_r(&wk->seed) % 10 == 0;
			xreq(fd, XS_TRANSACTION_END, tx, abort ? "F" : "T", 2, &m);
			if (!abort && m.hdr.type == XS_TRANSACTION_END)
				wk->commits++;
			else if (m.hdr.type == XS_ERROR && strcmp(m.payload, "EAGAIN") == 0)
				wk->conflicts++;
		} else {
			send_op(fd, 0, (int)(rand_r(&wk->seed) % 3),
				keys[rand_r(&wk->seed) % NKEYS], value, &m);
		}
	}
	forget_events(fd);
	close(fd);
	return NULL;
}

/* The naive model: a flat list of (path, value). */
struct model {
	char *path[MODEL_MAX];
	char *value[MODEL_MAX];
	int n;
};

static int model_find(const struct model *md, const char *path)
{
	for (int i = 0; i < md->n; i++)
		if (strcmp(md->path[i], path) == 0)
			return i;
	return -1;
}

static void model_create(struct model *md, const char *path)
{
	char buf[256];

	if (model_find(md, path) >= 0)
		return;
	snprintf(buf, sizeof(buf), "%s", path);
	char *slash = strrchr(buf, '/');
	if (slash && slash != buf) {
		*slash = '\0';
		model_create(md, buf);
	}
	assert_true(md->n < MODEL_MAX);
	md->path[md->n] = strdup(path);
	md->value[md->n] = strdup("");
	md->n++;
}

static void model_write(struct model *md, const char *path, const char *value)
{
	model_create(md, path);
	int i = model_find(md, path);
	free(md->value[i]);
	md->value[i] = strdup(value);
}

static void model_rm(struct model *md, const char *path)
{
	size_t len = strlen(path);

	for (int i = 0; i < md->n;) {
		if (strcmp(md->path[i], path) == 0 ||
		    (strncmp(md->path[i], path, len) == 0 && md->path[i][len] == '/')) {
			free(md->path[i]);
			free(md->value[i]);
			md->n--;
			md->path[i] = md->path[md->n];
			md->value[i] = md->value[md->n];
		} else {
			i++;
		}
	}
}

struct pending_op {
	unsigned int conn, tx;
	char type[32];
	char text[256];
};

static void apply(struct model *md, const char *type, const char *text)
{
	char path[256];
	const char *sp = strchr(text, ' ');
	size_t plen = sp ? (size_t)(sp - text) : strlen(text);

	memcpy(path, text, plen);
	path[plen] = '\0';
	if (strcmp(type, "WRITE") == 0)
		model_write(md, path, sp ? sp + 1 : "");
	else if (strcmp(type, "MKDIR") == 0)
		model_create(md, path);
	else if (strcmp(type, "RM") == 0)
		model_rm(md, path);
}

/* Replay the trace: IN and OUT of one request are adjacent lines. */
static void replay_trace(struct model *md)
{
	static struct pending_op pend[CLIENTS * 64];
	int npend = 0;
	char in_line[512], out_line[512];
	FILE *f = fopen(trace_path, "r");

	assert_non_null(f);
	while (fgets(in_line, sizeof(in_line), f)) {
		if (strncmp(in_line, "IN ", 3) != 0)
			continue;
		assert_non_null(fgets(out_line, sizeof(out_line), f));
		unsigned int conn, id, tx, oconn, oid, otx;
		char type[32], otype[32], text[256] = "", otext[256] = "";
		assert_int_equal(sscanf(in_line, "IN 0x%x %*s %*s %31s id %u tx %u (%255[^\n]",
					&conn, type, &id, &tx, text) >= 4, 1);
		assert_int_equal(sscanf(out_line, "OUT 0x%x %*s %*s %31s id %u tx %u (%255[^\n]",
					&oconn, otype, &oid, &otx, otext) >= 4, 1);
		assert_int_equal(conn, oconn);
		assert_int_equal(id, oid);
		/* Drop the closing ")" and the blank that stood for the NUL. */
		size_t tl = strlen(text);
		if (tl && text[tl - 1] == ')')
			text[--tl] = '\0';
		if (tl && text[tl - 1] == ' ' && strcmp(type, "WRITE") != 0)
			text[--tl] = '\0';
		bool failed = strcmp(otype, "ERROR") == 0;
		if (strcmp(type, "TRANSACTION_END") == 0) {
			/* Committed or not, the transaction is over. */
			bool commit = !failed && text[0] == 'T';
			for (int i = 0; i < npend; i++) {
				if (pend[i].conn != conn || pend[i].tx != tx)
					continue;
				if (commit)
					apply(md, pend[i].type, pend[i].text);
				pend[i].conn = UINT32_MAX;
			}
			continue;
		}
		if (failed || (strcmp(type, "WRITE") != 0 && strcmp(type, "MKDIR") != 0 &&
			       strcmp(type, "RM") != 0))
			continue;
		if (tx == 0) {
			apply(md, type, text);
		} else {
			/* Reuse slots of ended transactions. */
			int slot = -1;
			for (int i = 0; i < npend && slot < 0; i++)
				if (pend[i].conn == UINT32_MAX)
					slot = i;
			if (slot < 0) {
				assert_true(npend < (int)(sizeof(pend) / sizeof(pend[0])));
				slot = npend++;
			}
			pend[slot].conn = conn;
			pend[slot].tx = tx;
			snprintf(pend[slot].type, sizeof(pend[slot].type), "%s", type);
			snprintf(pend[slot].text, sizeof(pend[slot].text), "%s", text);
		}
	}
	fclose(f);
}

/* Compare the daemon's tree below path with the model, node by node. */
static int compare_tree(int fd, const struct model *md, const char *path)
{
	struct xmsg m;
	char buf[256];
	int count = 1;
	int i = model_find(md, path);

	snprintf(buf, sizeof(buf), "%s", path);
	assert_int_equal(xreq(fd, XS_READ, 0, buf, strlen(buf) + 1, &m), 0);
	if (i < 0) {
		fprintf(stderr, "daemon has %s, the replay does not\n", path);
		fail();
	}
	assert_int_equal(m.hdr.type, XS_READ);
	assert_string_equal(m.payload, md->value[i]);
	assert_int_equal(xreq(fd, XS_DIRECTORY, 0, buf, strlen(buf) + 1, &m), 0);
	assert_int_equal(m.hdr.type, XS_DIRECTORY);
	struct xmsg dir = m;
	for (const char *c = dir.payload; c < dir.payload + dir.hdr.len; c += strlen(c) + 1) {
		char child[XS_ABS_PATH_MAX + 2];
		int n = snprintf(child, sizeof(child), "%s/%s", path, c);
		assert_true(n > 0 && (size_t)n < 256);
		count += compare_tree(fd, md, child);
	}
	return count;
}

static void test_serial_replay(void **state)
{
	struct worker wk[CLIENTS];
	pthread_t th[CLIENTS];
	static struct model md;
	struct xmsg m;
	int fd = xconn(&dp);

	for (int i = 0; i < CLIENTS; i++) {
		wk[i] = (struct worker){.id = i, .seed = 1234u + (unsigned int)i};
		assert_int_equal(pthread_create(&th[i], NULL, worker_main, &wk[i]), 0);
	}
	int commits = 0, conflicts = 0;
	for (int i = 0; i < CLIENTS; i++) {
		pthread_join(th[i], NULL);
		commits += wk[i].commits;
		conflicts += wk[i].conflicts;
	}
	print_message("%d commits, %d conflicts (EAGAIN)\n", commits, conflicts);
	assert_true(commits > 0);

	replay_trace(&md);
	int in_model = 0;
	for (int i = 0; i < md.n; i++)
		if (strncmp(md.path[i], "/r", 2) == 0 &&
		    (md.path[i][2] == '\0' || md.path[i][2] == '/'))
			in_model++;
	assert_int_equal(XREQ(fd, XS_READ, 0, "/r\0", &m), 0);
	if (m.hdr.type == XS_ERROR) {
		assert_int_equal(in_model, 0);
	} else {
		assert_int_equal(compare_tree(fd, &md, "/r"), in_model);
	}
	assert_int_equal(XREQ(fd, XS_CONTROL, 0, "check\0", &m), 0);
	EXPECT_BYTES(m, XS_CONTROL, "OK\0");
	forget_events(fd);
	close(fd);
	for (int i = 0; i < md.n; i++) {
		free(md.path[i]);
		free(md.value[i]);
	}
}

static int setup(void **state)
{
	char arg[160];

	snprintf(trace_path, sizeof(trace_path), "/tmp/xsconc.%d.trace", (int)getpid());
	snprintf(arg, sizeof(arg), "--trace-file=%s", trace_path);
	unlink(trace_path);
	return daemon_start(&dp, arg);
}

static int teardown(void **state)
{
	unlink(trace_path);
	return daemon_stop(&dp) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_serial_replay),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
