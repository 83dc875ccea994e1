/* SPDX-License-Identifier: MIT */
/*
 * Inside of libxenstore: the connection handle, the transport interface it
 * talks through, and the request/reply engine shared by the API files.
 * Everything here is library-internal (xs__ prefix, hidden by the version
 * script).  Depends on libc, pthreads and include/xenstore/wire.h only.
 *
 * Design note: threads, locks and the watch queue.
 *
 * A handle may be shared by several threads.  One request is in flight at
 * a time: request_lock is held from writing a request until its reply has
 * been taken, like Xen's library, which keeps reply matching trivial and
 * the daemon's per-connection request quota out of reach.
 *
 * Who reads the transport:
 *   - Until the first xs_watch(), nobody but the requester: it holds
 *     request_lock and reads messages itself until its reply arrives.
 *   - xs_watch() starts one reader thread (under request_lock, so no
 *     requester is reading at that moment).  From then on only that thread
 *     reads; requesters wait on reply_cond.
 * Either way each incoming message goes through xs__deliver(): watch events
 * are appended to the FIFO watch queue (never dropped, never reordered
 * relative to each other), the reply goes to the single reply slot.  The
 * reader thread exists so that events keep flowing into the queue (and
 * the xs_fileno() pipe) while the application sleeps in poll().
 *
 * Lock order: request_lock, then lock.  `lock` guards every field marked
 * [L]; it is never held across a blocking transport read.  The reader
 * thread can only be cancelled while it waits in a transport read, so a
 * cancelled reader never holds a lock or leaks memory (it reads into the
 * handle-owned rx buffer).
 *
 * The xs_fileno() pipe holds exactly one byte while the watch queue is not
 * empty, and none while it is empty.
 */
#ifndef XS_LIB_HANDLE_H
#define XS_LIB_HANDLE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "xenstore.h"
#include "xenstore/wire.h"

/*
 * A byte stream to the daemon.  The Unix socket and the xenbus device are
 * file descriptors (transport_fd.c); a simulated guest uses the shared
 * ring page and event-channel FIFOs (transport_ring.c).  read and write
 * may be called concurrently from two threads (one reader, one writer) and
 * may block.
 */
struct xs__transport_ops {
	const char *name;
	/* Up to len bytes; > 0 read, 0 at end of stream, -1 with errno. */
	ssize_t (*read)(void *ctx, void *buf, size_t len);
	/* Up to len bytes; > 0 written, -1 with errno.  Never raises SIGPIPE. */
	ssize_t (*write)(void *ctx, const void *buf, size_t len);
	/* Release ctx.  No other call may be running. */
	void (*close)(void *ctx);
};

struct xs__transport {
	const struct xs__transport_ops *ops;
	void *ctx;
};

/*
 * Connect to path: a Unix stream socket if path names one, else open it as
 * a device (the xenbus character device).  Returns 0 or -errno.
 */
int xs__transport_fd_open(const char *path, struct xs__transport *out);

/*
 * Guest ring of the simulated hypervisor (transport_ring.c, docs/sim.md):
 * wanted when XENSTORE_SIM_DIR and XENSTORE_SIM_DOMID are both set; open
 * maps DIR/dom<N>/ring and its FIFOs.  Returns 0 or -errno.
 */
bool xs__transport_ring_wanted(void);
int xs__transport_ring_open(struct xs__transport *out);

/* One received message; body holds hdr.len bytes plus a NUL. */
struct xs__msg {
	struct xs__msg *next;
	struct xs_msg_hdr hdr;
	char body[];
};

struct xs_handle {
	struct xs__transport tp;
	bool unwatch_filter; /* XS_UNWATCH_FILTER given to xs_open */

	pthread_mutex_t request_lock; /* one request in flight */
	pthread_mutex_t lock;	      /* guards fields marked [L] */
	pthread_cond_t reply_cond;    /* reply arrived or connection died */
	pthread_cond_t watch_cond;    /* event queued or connection died */

	/* Changed under request_lock and lock; read under either. */
	bool reader_running;
	pthread_t reader;

	uint32_t next_req_id;	    /* [L] */
	uint32_t awaited_req_id;    /* [L] req_id of the request in flight */
	bool awaiting;		    /* [L] a request is in flight */
	struct xs__msg *reply;	    /* [L] its reply, once read */
	struct xs__msg *watch_head; /* [L] queued events, oldest first */
	struct xs__msg **watch_tail;/* [L] where the next event is linked */
	int watch_pipe[2];	    /* [L] xs_fileno() pipe, -1 until asked */
	int conn_err;		    /* [L] 0, or errno that killed the link */

	/*
	 * Receive buffer, used by whoever reads the transport (see above):
	 * a whole message is gathered here before it is copied out.
	 */
	unsigned char rx[XS_HDR_SIZE + XS_PAYLOAD_MAX];
};

/*
 * Send one request (payload = the iovecs concatenated) and wait for its
 * reply.  Returns the reply body (malloc'ed, NUL appended; *len, if not
 * NULL, gets its length without the NUL), or NULL with errno set: the
 * daemon's error, E2BIG for a payload over XS_PAYLOAD_MAX, or the error
 * that broke the connection.
 */
char *xs__talk(struct xs_handle *h, enum xs_msg_type type,
	       xs_transaction_t t, const struct iovec *iov, unsigned int niov,
	       unsigned int *len);

/* xs__talk with a single NUL-terminated string as payload. */
char *xs__talk_str(struct xs_handle *h, enum xs_msg_type type,
		   xs_transaction_t t, const char *str, unsigned int *len);

/* xs__talk_str with a decimal domain id as the string. */
char *xs__talk_domid(struct xs_handle *h, enum xs_msg_type type,
		     unsigned int domid, unsigned int *len);

/* Turn a reply into a success flag, freeing it (keeps errno on failure). */
bool xs__bool(char *reply);

/* Start the reader thread if it is not running.  Returns 0 or -errno. */
int xs__reader_start(struct xs_handle *h);

/* Stop and join the reader thread, if any (xs_close only). */
void xs__reader_stop(struct xs_handle *h);

/* Free a list of messages linked through next. */
void xs__msg_free_list(struct xs__msg *m);

/* Number of NUL-terminated strings in buf[0..len). */
unsigned int xs__count_strings(const char *buf, unsigned int len);

/* Watch-pipe upkeep, [L] held: queue became non-empty / empty. */
void xs__watch_pipe_set(struct xs_handle *h);
void xs__watch_pipe_clear(struct xs_handle *h);

/* Path of the xenbus device: $XENSTORED_PATH, else the kernel's node. */
const char *xs__domain_dev(void);

#endif
