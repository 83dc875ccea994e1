/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor side of a simulation directory (docs/sim.md), as
 * xenstore-sim changes it: create a domain's directory atomically, read
 * its info and state, change its state (temp file + rename, then a byte
 * on DIR/virq), reap it, list the domains.  Functions take the directory
 * as an open fd and return 0 (or a value) or -errno; they print nothing.
 */
#ifndef XS_SIM_SIMDIR_H
#define XS_SIM_SIMDIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_DOMID_MAX 32751u
#define SIM_GFN_BASE 0x10000u /* gfn of domain N is SIM_GFN_BASE + N */
#define SIM_PORT 1u	      /* every domain's store event channel */

enum sim_state {
	SIM_RUNNING,
	SIM_SHUTDOWN,
	SIM_DEAD,    /* "dead", or no state file */
	SIM_INVALID, /* a state file with anything else: reads as dead */
};

/* "running", "shutdown", "dead" or "invalid". */
const char *sim_state_name(enum sim_state st);

/* Strict decimal 1..SIM_DOMID_MAX: no sign, space or leading zero. */
bool sim_parse_domid(const char *s, unsigned int *domid);

/*
 * Open DIR (a directory fd).  With create, make DIR (one level) and
 * DIR/virq when they are missing.
 */
int sim_dir_open(const char *dir, bool create);

/* Whether DIR/dom<domid> exists (as a directory). */
bool sim_dom_exists(int dir_fd, unsigned int domid);

/*
 * Make domain domid: its directory is built under a temporary name and
 * renamed into place, so nobody sees it half made.  -EEXIST if it exists.
 */
int sim_dom_create(int dir_fd, unsigned int domid);

/* Make the lowest free domain id; *domid is set. */
int sim_dom_create_next(int dir_fd, unsigned int *domid);

/* Parse DIR/dom<domid>/info: 0, -ENOENT, or -EIO if malformed. */
int sim_dom_info(int dir_fd, unsigned int domid, uint64_t *gfn,
		 uint32_t *port);

/* The state as the daemon's backend reads it (missing -> SIM_DEAD). */
enum sim_state sim_dom_state(int dir_fd, unsigned int domid);

/* Replace the state file atomically, then signal DIR/virq. */
int sim_dom_set_state(int dir_fd, unsigned int domid, enum sim_state st);

/* One byte on DIR/virq (made if missing); a full FIFO is fine. */
int sim_virq(int dir_fd);

/* Remove DIR/dom<domid> and everything in it. */
int sim_dom_reap(int dir_fd, unsigned int domid);

/* The domains in DIR, ascending; *ids is malloc'ed (free it). */
int sim_dom_list(int dir_fd, unsigned int **ids, size_t *n);

#endif
