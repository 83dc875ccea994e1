/* SPDX-License-Identifier: MIT */
/*
 * CONTROL requests (xenstore-control): a table of sub-commands of its own.
 * The command names and their arguments follow the reference daemon's.
 */
#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/codec.h"
#include "conn.h"
#include "daemon.h"
#include "domain.h"
#include "journal.h"
#include "log.h"
#include "lu.h"
#include "ops.h"
#include "stats.h"
#include "trace.h"
#include "txn.h"

#define CONTROL_MAX_ARGS 8

struct control_cmd {
	const char *name;
	const char *usage;
	int (*fn)(struct request *r, unsigned int argc, const char **argv);
};

static const struct control_cmd *control_find(const char *name);

/* printf into the reply, without its NUL (added once at the end). */
static int reply_fmt(struct reply *reply, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int reply_fmt(struct reply *reply, const char *fmt, ...)
{
	size_t room = sizeof(reply->buf) - reply->len;
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(reply->buf + reply->len, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room)
		return -E2BIG;
	reply->len += (uint32_t)n;
	return 0;
}

static int ctl_check(struct request *r, unsigned int argc, const char **argv)
{
	char msg[256];

	if (daemon_check(r->d, msg, sizeof(msg)) == 0)
		return reply_ok(&r->reply);
	log_msg(LOG_LVL_ERR, "check failed: %s", msg);
	return reply_str(&r->reply, msg);
}

static int ctl_log(struct request *r, unsigned int argc, const char **argv)
{
	if (argc != 1)
		return -EINVAL;
	if (strcmp(argv[0], "on") == 0) {
		if (!r->d->trace && r->d->trace_path)
			trace_open(r->d, r->d->trace_path);
		r->d->trace_on = true;
	} else if (strcmp(argv[0], "off") == 0) {
		r->d->trace_on = false;
	} else {
		return -EINVAL;
	}
	return reply_ok(&r->reply);
}

static int ctl_logfile(struct request *r, unsigned int argc, const char **argv)
{
	if (argc != 1 || argv[0][0] == '\0')
		return -EINVAL;
	int ret = trace_open(r->d, argv[0]);
	return ret ? ret : reply_ok(&r->reply);
}

/* Bytes malloc has handed out and not had back (0 under a sanitizer's
 * allocator, which does not keep these counters). */
static size_t heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

/* What memreport counts, by category; bytes unless named otherwise. */
struct mem_counts {
	size_t nodes, node_structs, names, perms;
	size_t watches, watch_bytes;
	size_t txns, txn_bytes;
	size_t conns, out_msgs, out_bytes, out_alloc;
};

static void mem_count(const struct daemon *d, struct mem_counts *m)
{
	const struct store *s = &d->store;

	memset(m, 0, sizeof(*m));
	/* The root is not in the hash table. */
	m->nodes = 1;
	m->node_structs = sizeof(*s->root) + 1;
	m->perms = s->root->nperms * sizeof(*s->root->perms);
	for (size_t b = 0; b < s->nbuckets; b++) {
		for (const struct node *n = s->buckets[b]; n; n = n->hnext) {
			m->nodes++;
			m->node_structs += sizeof(*n);
			m->names += n->namelen + 1;
			m->perms += n->nperms * sizeof(*n->perms);
		}
	}
	for (const struct conn *c = d->conns; c; c = c->next) {
		m->conns++;
		for (const struct watch *w = c->watches; w; w = w->onext) {
			m->watches++;
			m->watch_bytes += watch_charge_of(w->path, w->token);
		}
		for (const struct txn *t = c->txns; t; t = t->next) {
			m->txns++;
			m->txn_bytes += t->bytes;
		}
		for (const struct outbuf *o = c->out_head; o; o = o->next) {
			m->out_msgs++;
			m->out_alloc += sizeof(*o) + o->len;
		}
		m->out_bytes += c->out_bytes;
	}
}

/*
 * One line per category, "name: N ..." with a count or bytes first (tests
 * and scripts read the first number of a line by its name).
 */
static int memreport_text(struct daemon *d, struct reply *reply)
{
	struct mem_counts m;
	const size_t ids = PERM_DOMID_MAX + 1;
	/* The store's per-owner counters and lists, the accounting's usage
	 * and soft-limit flags: one entry per possible domid each. */
	size_t tables = ids * (sizeof(uint32_t) + sizeof(uint64_t) +
			       sizeof(struct node *) + sizeof(struct usage) + 1);

	mem_count(d, &m);
	return reply_fmt(reply,
			 "nodes: %zu (%zu bytes)\n"
			 "node names: %zu bytes\n"
			 "node values: %zu bytes\n"
			 "node permissions: %zu bytes\n"
			 "hash buckets: %zu (%zu bytes)\n"
			 "per-domain tables: %zu bytes\n"
			 "watches: %zu (%zu bytes)\n"
			 "transactions: %zu (%zu bytes)\n"
			 "transaction history: %zu bytes\n"
			 "connections: %zu (%zu bytes)\n"
			 "queued output bytes: %zu (%zu messages, %zu bytes allocated)\n"
			 "heap in use: %zu\n",
			 m.nodes, m.node_structs, m.names, d->store.value_bytes,
			 m.perms, d->store.nbuckets,
			 d->store.nbuckets * sizeof(struct node *), tables,
			 m.watches, m.watch_bytes, m.txns, m.txn_bytes,
			 d->store.hist.bytes, m.conns, m.conns * sizeof(struct conn),
			 m.out_bytes, m.out_msgs, m.out_alloc, heap_in_use());
}

static int ctl_memreport(struct request *r, unsigned int argc, const char **argv)
{
	int ret = memreport_text(r->d, &r->reply);

	if (ret || argc == 0)
		return ret ? ret : reply_add(&r->reply, "", 1);
	FILE *f = fopen(argv[0], "a");
	if (!f)
		return -errno;
	fwrite(r->reply.buf, 1, r->reply.len, f);
	fclose(f);
	r->reply.len = 0;
	return reply_ok(&r->reply);
}

/*
 * stats                       counters and totals
 * stats domain <domid>        one domain against its quotas
 * stats domains [<domid>]     every domain from domid on, paged
 * stats connections [<id>]    every connection from id on, paged
 */
static int ctl_stats(struct request *r, unsigned int argc, const char **argv)
{
	char *buf = r->reply.buf;
	size_t size = sizeof(r->reply.buf);
	uint64_t from = 0;
	int ret;

	if (argc == 2 && xs_parse_uint(argv[1], UINT32_MAX, &from) != 0)
		return -EINVAL;
	if (argc == 0)
		ret = stats_global(r->d, buf, size);
	else if (argc == 2 && strcmp(argv[0], "domain") == 0)
		ret = stats_domain(r->d, (uint32_t)from, buf, size);
	else if (argc <= 2 && strcmp(argv[0], "domains") == 0)
		ret = stats_domains(r->d, (uint32_t)from, buf, size);
	else if (argc <= 2 && strcmp(argv[0], "connections") == 0)
		ret = stats_conns(r->d, (uint32_t)from, buf, size);
	else
		return -EINVAL;
	if (ret)
		return ret;
	r->reply.len = (uint32_t)strlen(buf) + 1;
	return 0;
}

static int ctl_print(struct request *r, unsigned int argc, const char **argv)
{
	if (argc != 1)
		return -EINVAL;
	log_msg(LOG_LVL_INFO, "control: %s", argv[0]);
	trace_line(r->d, argv[0]);
	return reply_ok(&r->reply);
}

static int quota_list(struct request *r, bool soft)
{
	const struct quotas *q = &r->d->quotas;
	int ret = reply_fmt(&r->reply, "%s settings:\n", soft ? "Soft quota" : "Quota");

	for (int i = 0; i < Q_COUNT && !ret; i++) {
		uint32_t v = soft ? q->soft[i] : q->hard[i];
		if (soft && v == QUOTA_DISABLED)
			continue;
		ret = reply_fmt(&r->reply, "%-17s: %8u %s\n",
				quota_name((enum quota_item)i), v,
				quota_descr((enum quota_item)i));
	}
	return ret ? ret : reply_add(&r->reply, "", 1);
}

/* quota[-soft] set <name> <value> [<domid>]: globally or for one domain. */
static int quota_set(struct request *r, bool soft, const char *name,
		     const char *value, const char *domain)
{
	enum quota_item item;
	bool is_soft;
	uint64_t v, domid;

	if (quota_parse_name(&r->d->quotas, name, &item, &is_soft) != 0 || is_soft ||
	    xs_parse_uint(value, UINT32_MAX, &v) != 0)
		return -EINVAL;
	if (soft && r->d->quotas.soft[item] == QUOTA_DISABLED)
		return -EINVAL;
	if (domain) {
		if (xs_parse_uint(domain, PERM_DOMID_MAX, &domid) != 0)
			return -EINVAL;
		int ret = quota_domain_set(r->d, (uint32_t)domid, item, soft,
					   (uint32_t)v);
		if (!ret)
			journal_domain(r->d, domain_get(&r->d->domains,
							(uint32_t)domid));
		return ret ? ret : reply_ok(&r->reply);
	}
	if (soft) {
		if (r->d->quotas.soft[item] == QUOTA_DISABLED)
			return -EINVAL;
		r->d->quotas.soft[item] = (uint32_t)v;
	} else {
		r->d->quotas.hard[item] = (uint32_t)v;
	}
	return reply_ok(&r->reply);
}

/* quota <domid>: what a domain uses of each counted quota, and its limit
 * ("-" for none). */
static int quota_domain(struct request *r, const char *text)
{
	uint64_t domid;

	if (xs_parse_uint(text, PERM_DOMID_MAX, &domid) != 0)
		return -EINVAL;
	if (!domain_get(&r->d->domains, (uint32_t)domid))
		return -ENOENT;
	struct usage u = acct_usage(r->d, (uint32_t)domid);
	const struct {
		enum quota_item item;
		uint64_t used;
	} rows[] = {
		{Q_NODES, store_owner_nodes(&r->d->store, (uint32_t)domid)},
		{Q_WATCHES, (uint64_t)u.watches},
		{Q_OUTSTANDING, (uint64_t)u.outstanding},
		{Q_MEMORY, acct_memory(r->d, (uint32_t)domid)},
		{Q_TRANSACTIONS, (uint64_t)u.txns},
	};
	int ret = reply_fmt(&r->reply, "Domain %" PRIu64 ":\n", domid);

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]) && !ret; i++) {
		uint32_t max = quota_for(r->d, (uint32_t)domid, rows[i].item);
		char lim[16] = "-";
		if (max)
			snprintf(lim, sizeof(lim), "%" PRIu32, max);
		ret = reply_fmt(&r->reply, "%-16s: %8" PRIu64 " / %s\n",
				quota_name(rows[i].item), rows[i].used, lim);
	}
	return ret ? ret : reply_add(&r->reply, "", 1);
}

static int ctl_quota(struct request *r, unsigned int argc, const char **argv)
{
	if (argc == 0)
		return quota_list(r, false);
	if ((argc == 3 || argc == 4) && strcmp(argv[0], "set") == 0)
		return quota_set(r, false, argv[1], argv[2], argc == 4 ? argv[3] : NULL);
	if (argc == 1)
		return quota_domain(r, argv[0]);
	return -EINVAL;
}

static int ctl_quota_soft(struct request *r, unsigned int argc, const char **argv)
{
	if (argc == 0)
		return quota_list(r, true);
	if ((argc == 3 || argc == 4) && strcmp(argv[0], "set") == 0)
		return quota_set(r, true, argv[1], argv[2], argc == 4 ? argv[3] : NULL);
	return -EINVAL;
}

static int ctl_help(struct request *r, unsigned int argc, const char **argv);

static const struct control_cmd control_cmds[] = {
	{"check", "", ctl_check},
	{"live-update", "[-c <cmdline>] [-F] [-t <timeout>] <file>", lu_control},
	{"log", "on|off", ctl_log},
	{"logfile", "<file>", ctl_logfile},
	{"memreport", "[<file>]", ctl_memreport},
	{"print", "<string>", ctl_print},
	{"quota", "[set <name> <val> [<domid>]|<domid>]", ctl_quota},
	{"quota-soft", "[set <name> <val> [<domid>]]", ctl_quota_soft},
	{"state-save", "<file>", lu_state_save},
	{"stats", "[domain <domid>|domains [<domid>]|connections [<id>]]", ctl_stats},
	{"help", "", ctl_help},
};

static int ctl_help(struct request *r, unsigned int argc, const char **argv)
{
	int ret = 0;

	for (size_t i = 0; i < sizeof(control_cmds) / sizeof(control_cmds[0]) && !ret; i++)
		ret = reply_fmt(&r->reply, "%s\t%s\n", control_cmds[i].name,
				control_cmds[i].usage);
	return ret ? ret : reply_add(&r->reply, "", 1);
}

static const struct control_cmd *control_find(const char *name)
{
	for (size_t i = 0; i < sizeof(control_cmds) / sizeof(control_cmds[0]); i++)
		if (strcmp(control_cmds[i].name, name) == 0)
			return &control_cmds[i];
	return NULL;
}

int op_control(struct request *r)
{
	const char *argv[CONTROL_MAX_ARGS];
	unsigned int argc;

	if (xs_split_args(r->payload, r->hdr.len, argv, CONTROL_MAX_ARGS, &argc) != 0 ||
	    argc == 0)
		return -EINVAL;
	const struct control_cmd *cmd = control_find(argv[0]);
	if (!cmd)
		return -EINVAL;
	return cmd->fn(r, argc - 1, argv + 1);
}
