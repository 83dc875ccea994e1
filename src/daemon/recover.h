/* SPDX-License-Identifier: MIT */
/*
 * Recovery at start (--state-dir): rebuild the state from the newest
 * complete snapshot and the journals that follow it, then reconnect the
 * introduced domains and restore their watches (docs/durability.md).
 *
 * A torn tail of the last journal is normal after a crash: it is cut off
 * and logged.  Anything else that is damaged - a bad record followed by
 * valid ones, a missing or damaged snapshot, a gap in the journals - stops
 * the start with a message naming the file and offset, unless partial
 * recovery was asked for; then what is valid is taken, what was dropped is
 * logged, and a new snapshot starts a clean chain.
 *
 * Owns struct recovery (the domain table and watches read from the files,
 * until they are restored).  Runs before the daemon serves anyone.
 */
#ifndef XS_DAEMON_RECOVER_H
#define XS_DAEMON_RECOVER_H

#include <errno.h>
#include <stdbool.h>

struct daemon;
struct journal;
struct recovery;
struct state_config;

/* Returned when the state is damaged and partial recovery was not asked
 * for: the daemon exits with RECOVER_EXIT_DAMAGED. */
#define RECOVER_DAMAGED (-EUCLEAN)
#define RECOVER_EXIT_DAMAGED 3

/*
 * Load the state in cfg->dir (made if missing) into d's store and
 * settings, and set j up to continue the journal (*fresh: journal_start()
 * must write a new snapshot and journal).  *out holds what is left to
 * restore.  0, RECOVER_DAMAGED, or -errno; the reason is logged.
 */
int recover_load(struct daemon *d, const struct state_config *cfg,
		 struct journal *j, struct recovery **out, bool *fresh);

/*
 * The state came from elsewhere (live update, --restore): only find the
 * numbers in use in cfg->dir, so that journal_start(fresh) starts a new
 * chain above them.  0 or -errno.
 */
int recover_scan(const struct state_config *cfg, struct journal *j);

/*
 * Restore the domain table: map the rings and bind the event channels of
 * introduced domains again (the ring pages are left as they are), make
 * their connections, restore their watches and queue one event on each.
 * Call before journal_start().  0 or -errno.
 */
int recover_restore(struct daemon *d, struct recovery *r);

/* After journal_start(): serve what the guests wrote meanwhile, check the
 * domains with the hypervisor, free r. */
void recover_finish(struct daemon *d, struct recovery *r);

#endif
