/* SPDX-License-Identifier: MIT */
/*
 * The journal: with --state-dir, every change of the daemon's persistent
 * state (nodes, the domain table, quotas set at run time, the permissions
 * of the special nodes, the watches of ring connections) is appended to a
 * journal file before any reply of the loop round that made it leaves
 * (docs/durability.md).
 *
 * The store and the watch index report changes through observers; the
 * domain code calls journal_domain*().  Changes are encoded into one
 * buffer as they happen; journal_commit() (end of each loop round, before
 * replies are flushed) writes them as ONE record with one write(), then
 * syncs as the fsync policy says.  A record therefore holds whole requests
 * only (a committed transaction, an RM of a subtree and a domain's death
 * are never split).
 *
 * Compaction: when the journal grows past its bound, a forked child writes
 * a snapshot of the state (copy-on-write memory) while the daemon goes on
 * in a new journal; once the child has renamed its snapshot into place,
 * the older files are deleted.  File names carry generation numbers so that
 * recovery is unambiguous at every instant (recover.c).
 *
 * Owns struct journal, its files and its child process.  Knows the daemon
 * (it reads the state to journal and snapshot it) but nothing calls back
 * into it except through the hooks below.
 */
#ifndef XS_DAEMON_JOURNAL_H
#define XS_DAEMON_JOURNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/perms.h"
#include "quota.h"
#include "record.h"
#include "store.h"
#include "watch.h"

struct daemon;
struct domain;

/* The documented production location (not a default: off unless given). */
#define STATE_DIR_PRODUCTION "/var/lib/xenstored"

enum fsync_policy {
	FSYNC_ALWAYS,		/* fdatasync before any reply of the round leaves */
	FSYNC_INTERVAL,		/* at most interval_ms after a write */
	FSYNC_NEVER,		/* the kernel decides */
};

/* Journal size that triggers compaction, unless twice the last snapshot
 * is larger. */
#define JOURNAL_MAX_DEFAULT (16u * 1024u * 1024u)

struct state_config {
	const char *dir;	/* NULL: no persistence */
	enum fsync_policy policy;
	uint32_t interval_ms;	/* FSYNC_INTERVAL */
	uint64_t max_bytes;	/* compaction threshold */
	bool partial;		/* --state-recover=partial */
};

/* Defaults: off, fsync always, 16 MiB. */
void state_config_defaults(struct state_config *cfg);
/* --fsync always|never|interval=MS; 0 or -EINVAL. */
int state_parse_fsync(struct state_config *cfg, const char *arg);
/* --state-recover strict|partial; 0 or -EINVAL. */
int state_parse_recover(struct state_config *cfg, const char *arg);
/* --journal-max BYTES (at least 4096); 0 or -EINVAL. */
int state_parse_max(struct state_config *cfg, const char *arg);

struct journal {
	struct daemon *d;
	int dirfd;
	char *dir;			/* owned */
	int fd;				/* journal being appended to */
	uint64_t number;		/* its generation */
	uint64_t size;			/* its length in bytes */
	struct rbuf batch;		/* this round's changes, framed */
	size_t rec_off;			/* start of the open record */
	bool rec_open;
	enum fsync_policy policy;
	uint32_t interval_ms;
	uint64_t last_sync_ms;
	bool unsynced;			/* written, not yet fdatasync'd */
	uint64_t max_bytes;
	uint64_t snap_bytes;		/* size of the last snapshot */
	pid_t child;			/* snapshot writer, or 0 */
	uint64_t child_number;		/* the snapshot it writes */
	/* Global quota items set at run time (bit per enum quota_item),
	 * and the values last journalled, to notice changes. */
	uint32_t rt_hard, rt_soft;
	struct quotas quotas_seen;
	struct xs_perm *special_seen[2];	/* owned copies */
	uint32_t nspecial_seen[2];
	struct store_observer store_obs;
	struct watch_observer watch_obs;
	/* Statistics, for logs. */
	uint64_t records, syncs, compactions;
};

/*
 * Start journalling after recovery (recover.c) filled in where to
 * continue: j->number/size/fd are set by recovery or, with fresh, a new
 * snapshot and journal are written now.  Attaches the observers and sets
 * d->journal.  0 or -errno (logged).
 */
int journal_start(struct daemon *d, struct journal *j, bool fresh);

/* Commit the round's changes: write, sync per policy, maybe compact.
 * A write or sync failure is fatal (logged, exit): replies that follow
 * would acknowledge changes that are not durable. */
void journal_commit(struct daemon *d);

/* Milliseconds until journal_tick() has work (a pending interval sync),
 * or -1. */
int journal_timeout_ms(const struct daemon *d);
void journal_tick(struct daemon *d);

/* SIGCHLD: reap the snapshot writer and finish its compaction. */
void journal_reap(struct daemon *d);

/* Flush, sync, wait for a running snapshot writer, close.  Detaches. */
void journal_close(struct daemon *d);

/* Domain table hooks (domain.c, ops_*): the whole entry of dom, or its
 * end.  No-ops without a journal. */
void journal_domain(struct daemon *d, const struct domain *dom);
void journal_domain_gone(struct daemon *d, uint32_t domid);

/* Encode the domain entry (shared with snapshot.c). */
void journal_encode_domain(struct rbuf *b, const struct domain *dom);

/* "journal.N", "snapshot.N", "snapshot.N.tmp" into buf. */
void state_file_name(char *buf, size_t size, const char *kind, uint64_t n,
		     bool tmp);

#endif
