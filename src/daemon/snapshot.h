/* SPDX-License-Identifier: MIT */
/*
 * Snapshots: the whole persistent state in one file - every node with its
 * value, permissions and permission generation, the permissions of the
 * special nodes, the quotas set at run time, the domain table and the
 * watches of ring connections - as records of the journal's format
 * (record.h), between a REC_SNAP_HEAD and a REC_SNAP_END.
 *
 * Written to snapshot.N.tmp, synced, renamed to snapshot.N, directory
 * synced: a file named snapshot.N is complete unless damaged afterwards.
 * Runs in the compaction child (on its copy-on-write image of the state)
 * or in the daemon itself.  Reads the state, changes nothing.
 */
#ifndef XS_DAEMON_SNAPSHOT_H
#define XS_DAEMON_SNAPSHOT_H

#include <stdint.h>

struct daemon;
struct journal;

/* Operations per REC_CHANGES record of a snapshot: bounded, so a reader
 * of a damaged file loses little and memory stays small. */
#define SNAPSHOT_RECORD_BYTES (1u << 20)

/*
 * Write snapshot number n of d's state into j's directory.  *bytes (if
 * not NULL) receives the file's size.  0 or -errno.
 */
int snapshot_write(struct daemon *d, const struct journal *j, uint64_t n,
		   uint64_t *bytes);

#endif
