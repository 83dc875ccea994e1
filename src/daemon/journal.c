/* SPDX-License-Identifier: MIT */
/*
 * The journal; see journal.h for what it promises and docs/durability.md
 * for the file formats.
 *
 * Design note on compaction and crash safety.  Journal N holds the changes
 * made after the state that snapshot N holds.  Compaction at the end of a
 * round, with journal N current: (1) fdatasync journal N; (2) create
 * journal N+1 with its header, fdatasync it and the directory; (3) fork;
 * the child writes snapshot.N+1.tmp from its copy-on-write image of the
 * state, fsyncs it, renames it to snapshot.N+1 and fsyncs the directory;
 * (4) the parent goes on in journal N+1; (5) when the child is reaped
 * successfully, every journal and snapshot numbered below N+1 is deleted,
 * journals first.  Recovery starts from the newest complete snapshot S and
 * replays journals S, S+1, ...: before (3) completes that is snapshot N
 * with journals N and N+1, after it snapshot N+1 with journal N+1 - the
 * same state at every instant.
 */
#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/codec.h"
#include "common/path.h"
#include "conn.h"
#include "daemon.h"
#include "domain.h"
#include "log.h"
#include "snapshot.h"

_Static_assert(SPECIAL_COUNT == 2, "journal keeps two special nodes");
_Static_assert(Q_COUNT <= 32, "quota items fit a bit mask");

void state_config_defaults(struct state_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->policy = FSYNC_ALWAYS;
	cfg->max_bytes = JOURNAL_MAX_DEFAULT;
}

int state_parse_fsync(struct state_config *cfg, const char *arg)
{
	static const char interval[] = "interval=";
	uint64_t v;

	if (strcmp(arg, "always") == 0) {
		cfg->policy = FSYNC_ALWAYS;
	} else if (strcmp(arg, "never") == 0) {
		cfg->policy = FSYNC_NEVER;
	} else if (strncmp(arg, interval, sizeof(interval) - 1) == 0 &&
		   xs_parse_uint(arg + sizeof(interval) - 1, 3600000, &v) == 0 &&
		   v > 0) {
		cfg->policy = FSYNC_INTERVAL;
		cfg->interval_ms = (uint32_t)v;
	} else {
		return -EINVAL;
	}
	return 0;
}

int state_parse_recover(struct state_config *cfg, const char *arg)
{
	if (strcmp(arg, "strict") == 0)
		cfg->partial = false;
	else if (strcmp(arg, "partial") == 0)
		cfg->partial = true;
	else
		return -EINVAL;
	return 0;
}

int state_parse_max(struct state_config *cfg, const char *arg)
{
	uint64_t v;

	if (xs_parse_uint(arg, UINT64_MAX / 4, &v) != 0 || v < 4096)
		return -EINVAL;
	cfg->max_bytes = v;
	return 0;
}

void state_file_name(char *buf, size_t size, const char *kind, uint64_t n,
		     bool tmp)
{
	snprintf(buf, size, "%s.%" PRIu64 "%s", kind, n, tmp ? ".tmp" : "");
}

/* A failure after which replies would lie: stop now.  Recovery at the next
 * start takes exactly what reached the file. */
static void fatal_io(const char *what, const char *file, int err)
{
	log_msg(LOG_LVL_ERR, "state: %s %s: %s; stopping so that no reply "
		"acknowledges a change that is not in the journal",
		what, file, strerror(err));
	_exit(1);
}

/* ---- encoding the changes ------------------------------------------- */

static struct rbuf *batch_of(struct journal *j)
{
	if (!j->rec_open) {
		j->rec_off = rec_start(&j->batch, REC_CHANGES);
		j->rec_open = true;
	}
	return &j->batch;
}

static void on_store_change(void *arg, enum store_change what,
			    const struct node *n, const char *path)
{
	struct journal *j = arg;
	char buf[PATH_BUF_SIZE];
	struct rbuf *b = batch_of(j);

	if (!path) {
		size_t len = store_path(n, buf, sizeof(buf));
		if (!len)
			return; /* cannot happen: paths fit PATH_BUF_SIZE */
		path = buf;
	}
	switch (what) {
	case STORE_CREATED:
		rbuf_u8(b, JOP_CREATE);
		rbuf_str(b, path, strlen(path));
		rbuf_perms(b, n->perms, n->nperms);
		break;
	case STORE_VALUE:
		rbuf_u8(b, JOP_VALUE);
		rbuf_str(b, path, strlen(path));
		rbuf_blob(b, n->value, n->vlen);
		break;
	case STORE_PERMS:
		rbuf_u8(b, JOP_PERMS);
		rbuf_str(b, path, strlen(path));
		rbuf_perms(b, n->perms, n->nperms);
		break;
	case STORE_REMOVED:
		rbuf_u8(b, JOP_REMOVE);
		rbuf_str(b, path, strlen(path));
		break;
	}
}

/* The domain whose ring connection owns w, or NULL (socket clients'
 * watches are not kept: those clients reconnect). */
static const struct domain *ring_owner(const struct daemon *d,
				       const struct watch *w)
{
	const struct conn *c = w->owner;
	const struct domain *dom = domain_get(&d->domains, c->caller.domid);

	return dom && dom->conn == c ? dom : NULL;
}

static void on_watch_change(void *arg, const struct watch *w, bool added)
{
	struct journal *j = arg;
	const struct domain *dom = ring_owner(j->d, w);

	if (!dom)
		return;
	struct rbuf *b = batch_of(j);
	rbuf_u8(b, added ? JOP_WATCH_ADD : JOP_WATCH_DEL);
	rbuf_u32(b, dom->domid);
	if (added) {
		rbuf_u32(b, w->rel_len);
		rbuf_u32(b, (uint32_t)(w->depth + 1));
	}
	rbuf_str(b, w->path, w->plen);
	rbuf_str(b, w->token, strlen(w->token));
}

void journal_encode_domain(struct rbuf *b, const struct domain *dom)
{
	rbuf_u8(b, JOP_DOMAIN);
	rbuf_u32(b, dom->domid);
	rbuf_u8(b, (dom->introduced ? JOP_DOM_INTRODUCED : 0) |
		       (dom->shutdown_reported ? JOP_DOM_SHUTDOWN : 0));
	rbuf_u64(b, dom->gfn);
	rbuf_u32(b, dom->remote_port);
	rbuf_u32(b, dom->target);
	rbuf_u32(b, dom->features);
	rbuf_u64(b, dom->known_gen);
	rbuf_u32(b, dom->quota_set_hard);
	rbuf_u32(b, dom->quota_set_soft);
	rbuf_u8(b, Q_COUNT);
	for (int i = 0; i < Q_COUNT; i++)
		rbuf_u32(b, dom->quota_override.hard[i]);
	for (int i = 0; i < Q_COUNT; i++)
		rbuf_u32(b, dom->quota_override.soft[i]);
}

void journal_domain(struct daemon *d, const struct domain *dom)
{
	if (d->journal)
		journal_encode_domain(batch_of(d->journal), dom);
}

void journal_domain_gone(struct daemon *d, uint32_t domid)
{
	if (!d->journal)
		return;
	struct rbuf *b = batch_of(d->journal);
	rbuf_u8(b, JOP_DOMAIN_GONE);
	rbuf_u32(b, domid);
}

/* Settings changed without a hook (CONTROL quota set, SET_PERMS on the
 * special nodes): compared with what was journalled, a few words a round. */
static void note_settings(struct journal *j)
{
	struct daemon *d = j->d;

	for (int i = 0; i < Q_COUNT; i++) {
		for (int soft = 0; soft < 2; soft++) {
			uint32_t now = soft ? d->quotas.soft[i] : d->quotas.hard[i];
			uint32_t *seen = soft ? &j->quotas_seen.soft[i]
					      : &j->quotas_seen.hard[i];
			if (now == *seen)
				continue;
			*seen = now;
			*(soft ? &j->rt_soft : &j->rt_hard) |= 1u << i;
			struct rbuf *b = batch_of(j);
			rbuf_u8(b, JOP_QUOTA);
			rbuf_u8(b, (uint8_t)i);
			rbuf_u8(b, (uint8_t)soft);
			rbuf_u32(b, now);
		}
	}
	for (int i = 0; i < SPECIAL_COUNT; i++) {
		const struct special_perms *sp = &d->special[i];
		if (sp->nperms == j->nspecial_seen[i] &&
		    memcmp(sp->perms, j->special_seen[i],
			   sp->nperms * sizeof(*sp->perms)) == 0)
			continue;
		struct xs_perm *copy = malloc(sp->nperms * sizeof(*copy));
		if (!copy)
			fatal_io("cannot remember", sp->path, ENOMEM);
		memcpy(copy, sp->perms, sp->nperms * sizeof(*copy));
		free(j->special_seen[i]);
		j->special_seen[i] = copy;
		j->nspecial_seen[i] = sp->nperms;
		struct rbuf *b = batch_of(j);
		rbuf_u8(b, JOP_SPECIAL);
		rbuf_u8(b, (uint8_t)i);
		rbuf_perms(b, sp->perms, sp->nperms);
	}
}

/* ---- files ------------------------------------------------------------ */

static void write_all(struct journal *j, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(j->fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			char name[64];
			state_file_name(name, sizeof(name), "journal", j->number, false);
			fatal_io("cannot write", name, errno);
		}
		p += n;
		len -= (size_t)n;
		j->size += (uint64_t)n;
	}
}

static void sync_journal(struct journal *j)
{
	if (fdatasync(j->fd) != 0) {
		char name[64];
		state_file_name(name, sizeof(name), "journal", j->number, false);
		fatal_io("cannot sync", name, errno);
	}
	j->unsynced = false;
	j->last_sync_ms = daemon_now_ms();
	j->syncs++;
}

/* Create journal number n with its header, durable with its directory
 * entry; becomes the journal written to.  0 or -errno. */
static int journal_create(struct journal *j, uint64_t n)
{
	char name[64];
	struct rbuf hdr = {0};
	int fd;

	state_file_name(name, sizeof(name), "journal", n, false);
	fd = openat(j->dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND |
					    O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	size_t off = rec_start(&hdr, REC_JOURNAL_HEAD);
	rbuf_u32(&hdr, REC_FORMAT_VERSION);
	rbuf_u64(&hdr, n);
	rec_finish(&hdr, off);
	int ret = hdr.err;
	if (!ret && write(fd, hdr.data, hdr.len) != (ssize_t)hdr.len)
		ret = -EIO;
	if (!ret && (fdatasync(fd) != 0 || fsync(j->dirfd) != 0))
		ret = -errno;
	if (ret) {
		close(fd);
		rbuf_release(&hdr);
		return ret;
	}
	if (j->fd >= 0)
		close(j->fd);
	j->fd = fd;
	j->number = n;
	j->size = hdr.len;
	rbuf_release(&hdr);
	return 0;
}

/* Delete every journal, then every snapshot, numbered below keep. */
static void delete_older(struct journal *j, uint64_t keep)
{
	static const char *const kinds[] = {"journal", "snapshot"};
	char name[64];

	for (int k = 0; k < 2; k++) {
		for (uint64_t n = keep; n-- > 0;) {
			state_file_name(name, sizeof(name), kinds[k], n, false);
			if (unlinkat(j->dirfd, name, 0) != 0 && errno == ENOENT &&
			    n + 4 < keep)
				break; /* older ones went at earlier compactions */
		}
	}
	fsync(j->dirfd);
}

static void compaction_done(struct journal *j, uint64_t n)
{
	char name[64];
	struct stat st;

	state_file_name(name, sizeof(name), "snapshot", n, false);
	if (fstatat(j->dirfd, name, &st, 0) == 0)
		j->snap_bytes = (uint64_t)st.st_size;
	delete_older(j, n);
	j->compactions++;
	log_msg(LOG_LVL_INFO, "state: snapshot %" PRIu64 " written (%" PRIu64
		" bytes); older files deleted", n, j->snap_bytes);
}

static void compact(struct journal *j)
{
	uint64_t n = j->number + 1;
	int ret;

	sync_journal(j);
	ret = journal_create(j, n);
	if (ret) {
		log_msg(LOG_LVL_ERR, "state: cannot start journal %" PRIu64 ": %s",
			n, strerror(-ret));
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		/* The child: the state as of the fork, then out without
		 * running the parent's exit handlers.  It dies with the
		 * daemon: a restarted daemon must not find a writer of the
		 * old one still at work in its directory. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() == 1)
			_exit(1);
		_exit(snapshot_write(j->d, j, n, NULL) == 0 ? 0 : 1);
	}
	if (pid > 0) {
		j->child = pid;
		j->child_number = n;
		return;
	}
	log_msg(LOG_LVL_WARN, "state: cannot fork the snapshot writer (%s): "
		"writing snapshot %" PRIu64 " in the daemon", strerror(errno), n);
	ret = snapshot_write(j->d, j, n, NULL);
	if (ret == 0)
		compaction_done(j, n);
	else
		log_msg(LOG_LVL_ERR, "state: snapshot %" PRIu64 " failed: %s", n,
			strerror(-ret));
}

/* ---- the round ------------------------------------------------------------ */

void journal_commit(struct daemon *d)
{
	struct journal *j = d->journal;

	if (!j)
		return;
	note_settings(j);
	if (j->rec_open) {
		rec_finish(&j->batch, j->rec_off);
		j->rec_open = false;
		if (j->batch.err)
			fatal_io("cannot encode changes for", "the journal", ENOMEM);
		write_all(j, j->batch.data, j->batch.len);
		j->records++;
		/* Keep the buffer: no allocation per round once it has grown,
		 * unless one huge round left it big. */
		if (j->batch.cap > (4u << 20))
			rbuf_release(&j->batch);
		j->batch.len = 0;
		if (j->policy == FSYNC_ALWAYS)
			sync_journal(j);
		else if (j->policy == FSYNC_INTERVAL) {
			j->unsynced = true;
			if (daemon_now_ms() - j->last_sync_ms >= j->interval_ms)
				sync_journal(j);
		}
	}
	uint64_t limit = j->max_bytes > 2 * j->snap_bytes ? j->max_bytes
							  : 2 * j->snap_bytes;
	if (!j->child && j->size > limit)
		compact(j);
}

int journal_timeout_ms(const struct daemon *d)
{
	const struct journal *j = d->journal;

	if (!j || !j->unsynced || j->policy != FSYNC_INTERVAL)
		return -1;
	uint64_t now = daemon_now_ms(), due = j->last_sync_ms + j->interval_ms;
	return now >= due ? 0 : (int)(due - now);
}

void journal_tick(struct daemon *d)
{
	if (journal_timeout_ms(d) == 0)
		sync_journal(d->journal);
}

static void child_finished(struct journal *j, int status)
{
	uint64_t n = j->child_number;

	j->child = 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		compaction_done(j, n);
		return;
	}
	/* The chain stays valid without it: older snapshot, then journals. */
	log_msg(LOG_LVL_ERR, "state: the writer of snapshot %" PRIu64
		" failed (status %d); keeping the journals", n, status);
}

void journal_reap(struct daemon *d)
{
	struct journal *j = d->journal;
	int status;

	if (!j || !j->child)
		return;
	if (waitpid(j->child, &status, WNOHANG) == j->child)
		child_finished(j, status);
}

int journal_start(struct daemon *d, struct journal *j, bool fresh)
{
	j->d = d;
	j->store_obs.changed = on_store_change;
	j->store_obs.arg = j;
	j->watch_obs.changed = on_watch_change;
	j->watch_obs.arg = j;
	j->quotas_seen = d->quotas;
	for (int i = 0; i < SPECIAL_COUNT; i++) {
		j->special_seen[i] = malloc(d->special[i].nperms *
					    sizeof(struct xs_perm));
		if (!j->special_seen[i])
			return -ENOMEM;
		memcpy(j->special_seen[i], d->special[i].perms,
		       d->special[i].nperms * sizeof(struct xs_perm));
		j->nspecial_seen[i] = d->special[i].nperms;
	}
	j->last_sync_ms = daemon_now_ms();
	if (fresh) {
		/* A new chain: the whole state now, then its journal. */
		uint64_t n = j->number + 1;
		/* Snapshot first: a snapshot without its journal is a chain
		 * with an empty journal, the reverse would be a broken one. */
		int ret = snapshot_write(d, j, n, &j->snap_bytes);
		if (!ret)
			ret = journal_create(j, n);
		if (ret) {
			log_msg(LOG_LVL_ERR, "state: cannot start snapshot and "
				"journal %" PRIu64 " in %s: %s", n, j->dir,
				strerror(-ret));
			return ret;
		}
		delete_older(j, n);
	}
	d->store.observer = &j->store_obs;
	d->watches.observer = &j->watch_obs;
	d->journal = j;
	return 0;
}

void journal_close(struct daemon *d)
{
	struct journal *j = d->journal;
	int status;

	if (!j)
		return;
	journal_commit(d);
	if (j->policy != FSYNC_NEVER && j->fd >= 0)
		sync_journal(j);
	if (j->child && waitpid(j->child, &status, 0) == j->child)
		child_finished(j, status);
	d->store.observer = NULL;
	d->watches.observer = NULL;
	d->journal = NULL;
	if (j->fd >= 0)
		close(j->fd);
	if (j->dirfd >= 0)
		close(j->dirfd);
	rbuf_release(&j->batch);
	for (int i = 0; i < SPECIAL_COUNT; i++)
		free(j->special_seen[i]);
	free(j->dir);
	log_msg(LOG_LVL_INFO, "state: journal closed after %" PRIu64 " records, %"
		PRIu64 " syncs, %" PRIu64 " compactions", j->records, j->syncs,
		j->compactions);
}
