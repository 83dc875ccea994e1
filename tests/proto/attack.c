/* SPDX-License-Identifier: MIT */
/* Helpers of the hostile-input catalogue; see attack.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attack.h"
#include "expect.h"

void attack_req(int fd, uint32_t type, uint32_t tx, bool last_nul,
		struct xmsg *m, const char *const *args, size_t nargs)
{
	static char buf[XS_PAYLOAD_MAX];
	size_t len = 0;

	for (size_t i = 0; i < nargs; i++) {
		size_t n = strlen(args[i]) + 1;
		assert_true(len + n <= sizeof(buf));
		memcpy(buf + len, args[i], n);
		len += n;
	}
	if (!last_nul && len)
		len--;
	assert_int_equal(xreq(fd, type, tx, buf, len, m), 0);
}

/* The number after "name: " in a memreport text; asserts it is there. */
static long long report_number(const char *text, const char *name)
{
	size_t n = strlen(name);

	for (const char *line = text; line && *line;) {
		if (strncmp(line, name, n) == 0 && line[n] == ':')
			return strtoll(line + n + 1, NULL, 10);
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	fail_msg("memreport has no line '%s': %s", name, text);
	return -1;
}

void memsnap_take(int fd, struct memsnap *s)
{
	struct xmsg m;

	ATTACK_REQ(fd, XS_CONTROL, 0, &m, "memreport");
	assert_int_equal(m.hdr.type, XS_CONTROL);
	s->nodes = (long)report_number(m.payload, "nodes");
	s->connections = (long)report_number(m.payload, "connections");
	s->watches = (long)report_number(m.payload, "watches");
	s->transactions = (long)report_number(m.payload, "transactions");
	s->buckets = (long)report_number(m.payload, "hash buckets");
	s->queued = report_number(m.payload, "queued output bytes");
	s->heap = report_number(m.payload, "heap in use");
}

static bool same_counts(const struct memsnap *a, const struct memsnap *b)
{
	return a->nodes == b->nodes && a->connections == b->connections &&
	       a->watches == b->watches && a->transactions == b->transactions;
}

void memsnap_expect_back(int fd, const struct memsnap *base)
{
	struct memsnap now;

	for (int i = 0; i < 500; i++) {
		memsnap_take(fd, &now);
		if (same_counts(&now, base))
			break;
		usleep(10000);
	}
	assert_int_equal(now.nodes, base->nodes);
	assert_int_equal(now.watches, base->watches);
	assert_int_equal(now.transactions, base->transactions);
	assert_int_equal(now.connections, base->connections);
	/* Under AddressSanitizer mallinfo2() reports 0: nothing to judge. */
	if (base->heap == 0)
		return;
	print_message("heap in use: %lld before, %lld after\n", base->heap,
		      now.heap);
	long long allowed = base->heap + ATTACK_HEAP_SLACK +
			    (long long)(now.buckets - base->buckets) *
				    (long long)sizeof(void *);
	if (now.heap > allowed)
		fail_msg("heap in use %lld after the attack, %lld before "
			 "(allowed up to %lld)", now.heap, base->heap, allowed);
}

void attack_make_home(int fd0, unsigned int domid)
{
	char path[64], perm[16];
	struct xmsg m;

	snprintf(path, sizeof(path), "/local/domain/%u", domid);
	snprintf(perm, sizeof(perm), "n%u", domid);
	ATTACK_REQ(fd0, XS_MKDIR, 0, &m, path);
	EXPECT_OK(m, XS_MKDIR);
	ATTACK_REQ(fd0, XS_SET_PERMS, 0, &m, path, perm);
	EXPECT_OK(m, XS_SET_PERMS);
}

long long attack_quota_used(int fd0, unsigned int domid, const char *item)
{
	struct xmsg m;
	char id[16];
	size_t n = strlen(item);

	snprintf(id, sizeof(id), "%u", domid);
	ATTACK_REQ(fd0, XS_CONTROL, 0, &m, "quota", id);
	assert_int_equal(m.hdr.type, XS_CONTROL);
	for (char *line = m.payload; line && *line;) {
		if (strncmp(line, item, n) == 0 && line[n] == ' ') {
			char *colon = strchr(line, ':');
			assert_non_null(colon);
			return strtoll(colon + 1, NULL, 10);
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	fail_msg("no line '%s' in: %s", item, m.payload);
	return -1;
}

void attack_prime_domain(const struct daemon_proc *dp, unsigned int domid)
{
	int fd = xconn_as(dp, domid);

	assert_true(fd >= 0);
	close(fd);
}

void bystander_open(struct bystander *b, const struct daemon_proc *dp,
		    int fd0, unsigned int domid)
{
	char path[64], token[16];
	struct events ev;
	struct xmsg m;

	attack_make_home(fd0, domid);
	b->domid = domid;
	b->round = 0;
	b->fd = xconn_as(dp, domid);
	assert_true(b->fd >= 0);
	ATTACK_REQ(b->fd, XS_WRITE, 0, &m, "data", "");
	EXPECT_OK(m, XS_WRITE);
	snprintf(path, sizeof(path), "/local/domain/%u/data", domid);
	snprintf(token, sizeof(token), "by%u", domid);
	ATTACK_REQ(b->fd, XS_WATCH, 0, &m, path, token);
	EXPECT_OK(m, XS_WATCH);
	/* The event every new watch fires. */
	collect_events(b->fd, &ev);
	assert_int_equal(ev.count, 1);
	/* Once, so that the node it writes exists in every baseline. */
	bystander_check(b);
}

void bystander_check(struct bystander *b)
{
	char value[32], want[96];
	struct events ev;
	struct xmsg m;

	b->round++;
	snprintf(value, sizeof(value), "round %u", b->round);
	ATTACK_REQ(b->fd, XS_WRITE, 0, &m, "data/k", value);
	EXPECT_OK(m, XS_WRITE);
	ATTACK_REQ(b->fd, XS_READ, 0, &m, "data/k");
	assert_int_equal(m.hdr.type, XS_READ);
	assert_int_equal(m.hdr.len, strlen(value));
	assert_memory_equal(m.payload, value, strlen(value));
	collect_events(b->fd, &ev);
	snprintf(want, sizeof(want), "/local/domain/%u/data/k by%u|", b->domid,
		 b->domid);
	assert_string_equal(ev.text, want);
}

void bystander_close(struct bystander *b)
{
	forget_events(b->fd);
	close(b->fd);
	b->fd = -1;
}
