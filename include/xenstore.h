/* SPDX-License-Identifier: MIT */
/*
 * The public client API of libxenstore: open a connection to the XenStore
 * daemon, read and change nodes, set watches, run transactions and drive
 * the domain-management requests of the toolstack.
 *
 * Names, types, flags and calling conventions follow Xen's own
 * <xenstore.h> and <xenstore_lib.h> (interface version VERS_4.0), so a
 * program written against Xen's library builds and runs against this one
 * unchanged.  The declarations and their descriptions are this project's.
 *
 * Conventions shared by every call:
 *   - Failure is reported as false, NULL or XBT_NULL with errno set.  Errors
 *     sent by the daemon arrive as their errno value (ENOENT, EACCES, ...).
 *   - Returned arrays and strings are single malloc() blocks: one free()
 *     releases them, including the strings an array points into.
 *   - A handle may be shared by several threads; requests are serialised.
 *
 * This header is self-contained: it does not need Xen's <xen/io/xs_wire.h>.
 */
#ifndef XENSTORE_H
#define XENSTORE_H

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------
 * Types and constants
 * --------------------------------------------------------------------- */

/* A connection to the daemon; opaque. */
struct xs_handle;

/* Transaction id as issued by the daemon; XBT_NULL means "no transaction". */
typedef uint32_t xs_transaction_t;
#define XBT_NULL 0

/*
 * Flags for xs_open().  XS_OPEN_READONLY and XS_OPEN_SOCKETONLY are
 * accepted and ignored, as in Xen since 4.x: every connection is
 * read-write and the socket is always tried first.
 */
#define XS_OPEN_READONLY (1UL << 0)
#define XS_OPEN_SOCKETONLY (1UL << 1)
/*
 * XS_UNWATCH_FILTER: once xs_unwatch(path, token) returns, no event for
 * that token on path or below it is handed out any more, even if it was
 * already queued.  The caller must then not register a path and one of
 * its sub-paths with the same token at the same time.  Without the flag,
 * events queued before the unwatch may still be delivered.
 */
#define XS_UNWATCH_FILTER (1UL << 2)

/*
 * Access bits of a permission entry.  Declared as an enum (older Xen
 * headers) and as macros (newer ones) so both "#ifdef XS_PERM_READ" and
 * "enum xs_perm_type" keep working.
 */
enum xs_perm_type {
	XS_PERM_NONE = 0x00,
	XS_PERM_READ = 0x01,
	XS_PERM_WRITE = 0x02,
	/* Used inside daemons only; never valid in a request. */
	XS_PERM_ENOENT_OK = 0x04,
	XS_PERM_OWNER = 0x08,
	XS_PERM_IGNORE = 0x10,
};
#define XS_PERM_NONE XS_PERM_NONE
#define XS_PERM_READ XS_PERM_READ
#define XS_PERM_WRITE XS_PERM_WRITE
#define XS_PERM_ENOENT_OK XS_PERM_ENOENT_OK
#define XS_PERM_OWNER XS_PERM_OWNER
#define XS_PERM_IGNORE XS_PERM_IGNORE

/*
 * One entry of a node's permission list.  The first entry of a list names
 * the owner domain and the access every unlisted domain gets; each later
 * entry grants access to one domain.
 */
struct xs_permissions {
	unsigned int id;    /* domain id */
	unsigned int perms; /* XS_PERM_* bits */
};

/* Buffer size for the decimal form of an integer type, sign and NUL included. */
#define MAX_STRLEN(x) ((sizeof(x) * CHAR_BIT + CHAR_BIT - 1) / 10 * 3 + 2)

/*
 * Protocol items that Xen's header takes from <xen/io/xs_wire.h>.  Skipped
 * when that header was included first, so the two can be combined in that
 * order.
 */
#ifndef _XS_WIRE_H
/* Index of each string in the array xs_read_watch() returns. */
enum xs_watch_type {
	XS_WATCH_PATH = 0,
	XS_WATCH_TOKEN,
};
#define XENSTORE_PAYLOAD_MAX 4096   /* bytes of payload per message */
#define XENSTORE_ABS_PATH_MAX 3072  /* longest absolute path */
#define XENSTORE_REL_PATH_MAX 2048  /* longest relative path */
#endif

/* ---------------------------------------------------------------------
 * Connections
 * --------------------------------------------------------------------- */

/*
 * Connect to the daemon: first to its Unix socket (xs_daemon_socket()),
 * then to the kernel's xenbus device.  Only XS_UNWATCH_FILTER changes
 * behaviour.  After fork() only the parent may keep using the handle; the
 * child calls xs_daemon_destroy_postfork().  Returns a handle or NULL.
 */
struct xs_handle *xs_open(unsigned long flags);

/* Close a connection and free everything it holds.  NULL is allowed. */
void xs_close(struct xs_handle *xsh);

/* Deprecated synonyms of xs_open(0) and xs_close(). */
struct xs_handle *xs_daemon_open(void);
struct xs_handle *xs_domain_open(void);
struct xs_handle *xs_daemon_open_readonly(void);
void xs_daemon_close(struct xs_handle *xsh);

/*
 * In a child after fork(): release the handle inherited from the parent
 * without talking to the daemon or touching the parent's threads.
 */
void xs_daemon_destroy_postfork(struct xs_handle *xsh);

/*
 * A file descriptor that polls readable while watch events are queued.
 * Drain it with xs_check_watch() until that fails with EAGAIN.  Returns -1
 * with errno set on failure.
 */
int xs_fileno(struct xs_handle *h);

/* ---------------------------------------------------------------------
 * Nodes
 * --------------------------------------------------------------------- */

/*
 * Names of the children of path.  Returns a malloc'ed array of *num
 * pointers into the same block, or NULL.  Lists too long for one reply are
 * fetched piecewise.
 */
char **xs_directory(struct xs_handle *h, xs_transaction_t t,
		    const char *path, unsigned int *num);

/*
 * Value of path, with a NUL appended that *len (if len is not NULL) does
 * not count.  Values may hold NUL bytes.  Returns a malloc'ed buffer or
 * NULL.
 */
void *xs_read(struct xs_handle *h, xs_transaction_t t,
	      const char *path, unsigned int *len);

/* Set the value of path, creating it and missing ancestors. */
bool xs_write(struct xs_handle *h, xs_transaction_t t,
	      const char *path, const void *data, unsigned int len);

/* Create path with an empty value; succeeds if it exists already. */
bool xs_mkdir(struct xs_handle *h, xs_transaction_t t,
	      const char *path);

/*
 * Remove path and everything below it.  Removing a missing node succeeds
 * when its parent exists.
 */
bool xs_rm(struct xs_handle *h, xs_transaction_t t,
	   const char *path);

/*
 * Permission list of path, owner entry first.  Returns a malloc'ed array
 * of *num entries or NULL.
 */
struct xs_permissions *xs_get_permissions(struct xs_handle *h,
					  xs_transaction_t t,
					  const char *path, unsigned int *num);

/*
 * Replace the permission list of path (caller must own it or be
 * privileged).  perms[0] names the owner and the default access; each
 * later entry grants access to one domain.  Entry perms must be a
 * combination of XS_PERM_READ and XS_PERM_WRITE.
 */
bool xs_set_permissions(struct xs_handle *h, xs_transaction_t t,
			const char *path, struct xs_permissions *perms,
			unsigned int num_perms);

/* ---------------------------------------------------------------------
 * Watches
 * --------------------------------------------------------------------- */

/*
 * Ask for an event whenever path or anything below it changes; token comes
 * back with each event.  The daemon sends one event at once.  Events are
 * read with xs_read_watch() or xs_check_watch().
 */
bool xs_watch(struct xs_handle *h, const char *path, const char *token);

/*
 * Next watch event, waiting for one if none is queued.  Returns a malloc'ed
 * array of *num strings (at least two: XS_WATCH_PATH and XS_WATCH_TOKEN),
 * or NULL when the connection failed.
 */
char **xs_read_watch(struct xs_handle *h, unsigned int *num);

/*
 * Like xs_read_watch() but never waits: NULL with errno EAGAIN when no
 * event is queued.
 */
char **xs_check_watch(struct xs_handle *h);

/* Remove the watch registered with exactly this path and token. */
bool xs_unwatch(struct xs_handle *h, const char *path, const char *token);

/* ---------------------------------------------------------------------
 * Transactions
 * --------------------------------------------------------------------- */

/*
 * Start a transaction: requests carrying its id see a private snapshot and
 * their changes become visible together at the end.  Returns XBT_NULL on
 * failure.
 */
xs_transaction_t xs_transaction_start(struct xs_handle *h);

/*
 * Commit (abort false) or discard (abort true) a transaction.  A commit
 * that conflicts with changes made meanwhile fails with errno EAGAIN: the
 * caller starts the transaction again.
 */
bool xs_transaction_end(struct xs_handle *h, xs_transaction_t t,
			bool abort);

/* ---------------------------------------------------------------------
 * Domains (privileged callers)
 * --------------------------------------------------------------------- */

/* Tell the daemon about a new domain's store page (mfn/gfn) and event channel. */
bool xs_introduce_domain(struct xs_handle *h, unsigned int domid,
			 unsigned long mfn, unsigned int eventchn);

/* Let domid act with privilege over target's nodes (a device model). */
bool xs_set_target(struct xs_handle *h, unsigned int domid,
		   unsigned int target);

/* Clear the shutdown state of a resumed domain. */
bool xs_resume_domain(struct xs_handle *h, unsigned int domid);

/* Disconnect a domain and forget it. */
bool xs_release_domain(struct xs_handle *h, unsigned int domid);

/* Home path of a domain ("/local/domain/<domid>"), malloc'ed, or NULL. */
char *xs_get_domain_path(struct xs_handle *h, unsigned int domid);

/* Whether the daemon knows domid.  False also on error (errno set). */
bool xs_is_domain_introduced(struct xs_handle *h, unsigned int domid);

/*
 * Kept for binary compatibility with Xen's library, where it has done
 * nothing since Xen 4.9: always returns false (errno ENOSYS).
 */
bool xs_restrict(struct xs_handle *h, unsigned domid);

/*
 * Daemon control: send cmd followed by len bytes of data (arguments, each
 * NUL-terminated).  Returns the daemon's answer, malloc'ed, or NULL.
 */
char *xs_control_command(struct xs_handle *h, const char *cmd,
			 void *data, unsigned int len);
/* Old name of xs_control_command(). */
char *xs_debug_command(struct xs_handle *h, const char *cmd,
		       void *data, unsigned int len);

/*
 * Event channel port a domain advertises for suspend requests, read from
 * /local/domain/<domid>/device/suspend/event-channel over a connection of
 * its own; -1 if there is none.
 */
int xs_suspend_evtchn_port(int domid);

/* ---------------------------------------------------------------------
 * Helpers (no connection needed)
 * --------------------------------------------------------------------- */

/*
 * True if child equals parent or lies below it ("/a/b" is below "/a", not
 * below "/a/"); a plain string comparison, so relative and absolute paths
 * never match each other.
 */
bool xs_path_is_subpath(const char *parent, const char *child);

/*
 * Where the daemon lives: $XENSTORED_RUNDIR or /var/run/xenstored for the
 * run directory; $XENSTORED_PATH or "<rundir>/socket" for the socket (the
 * read-only socket is the same one).  The strings stay valid until the
 * next call from the same thread.
 */
const char *xs_daemon_rundir(void);
const char *xs_daemon_socket(void);
const char *xs_daemon_socket_ro(void);

/* write() all len bytes, retrying short writes and EINTR. */
bool xs_write_all(int fd, const void *data, unsigned int len);

/*
 * Parse num consecutive NUL-terminated entries ("r5", "b0", ...) into
 * perms.  False with errno EINVAL on a malformed entry.
 */
bool xs_strings_to_perms(struct xs_permissions *perms, unsigned int num,
			 const char *strings);

#ifdef __cplusplus
}
#endif

#endif
