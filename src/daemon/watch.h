/* SPDX-License-Identifier: MIT */
/*
 * Watches: who wants to hear about which paths, and finding them fast.
 *
 * All watches of all connections sit in one hash table keyed by the watched
 * path.  A change at /a/b/c looks up "/", "/a", "/a/b" and "/a/b/c" - one
 * probe per component, using a running hash so the path is read once - so
 * matching costs O(depth + matching watches) however many watches exist.
 *
 * Owns struct watch.  The owner pointer is opaque here (a connection);
 * delivery goes through a callback so this file knows nothing of
 * connections or permissions.
 */
#ifndef XS_DAEMON_WATCH_H
#define XS_DAEMON_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct watch {
	struct watch *hnext;	/* index chain */
	struct watch *onext;	/* owner's list */
	void *owner;
	uint32_t hash;
	uint32_t rel_len;	/* prefix to strip from event paths (relative
				   watches), 0 for absolute ones */
	int depth;		/* levels below path that match; -1: all */
	char *token;		/* points into path's allocation */
	size_t plen;
	char path[];		/* canonical path or @special, then token */
};

/* Told of every watch added (after) and removed (before it is freed):
 * the journal keeps the watches of guests' ring connections. */
struct watch_observer {
	void (*changed)(void *arg, const struct watch *w, bool added);
	void *arg;
};

struct watch_index {
	struct watch **buckets;
	size_t nbuckets;	/* power of two */
	size_t count;
	const struct watch_observer *observer; /* NULL: none; not owned */
};

int watch_index_init(struct watch_index *idx);
/* Every watch must have been removed first. */
void watch_index_release(struct watch_index *idx);

/*
 * Add a watch for owner, linking it at the head of *owner_list.
 * -EEXIST if owner already watches (path, token); -ENOMEM.
 */
int watch_add(struct watch_index *idx, void *owner, struct watch **owner_list,
	      const char *path, const char *token, uint32_t rel_len, int depth,
	      struct watch **out);

/* Remove owner's watch on (path, token): 0 or -ENOENT. */
int watch_remove(struct watch_index *idx, struct watch **owner_list,
		 const char *path, const char *token);

/* Remove every watch in an owner's list. */
void watch_remove_all(struct watch_index *idx, struct watch **owner_list);

typedef void (*watch_deliver_fn)(void *arg, struct watch *w,
				 const char *event_path);

/*
 * Fire for a change at path.  Not exact: every watch on path or on one of
 * its ancestors whose depth reaches it.  Exact: only watches on path itself
 * (a node removed below the removal's own path).
 */
void watch_fire(struct watch_index *idx, const char *path, bool exact,
		watch_deliver_fn deliver, void *arg);

/*
 * Fire a special event (base is "@introduceDomain" or "@releaseDomain")
 * about one domain.  Watches on base hear "base", or "base/<domid>" when
 * set with depth 1; watches on "base/<domid>" hear "base/<domid>".
 */
void watch_fire_special(struct watch_index *idx, const char *base,
			unsigned int domid, watch_deliver_fn deliver, void *arg);

/* The path to report for an event at path, relative if the watch was. */
const char *watch_event_path(const struct watch *w, const char *path);

#endif
