/* SPDX-License-Identifier: MIT */
/*
 * The XenStore wire protocol: message types, the 16-byte header, error names
 * and protocol limits.  Values are the ones fixed by Xen's public header
 * io/xs_wire.h; the definitions are this project's own.  Shared by the
 * daemon, the client library and the tools; depends on nothing but libc.
 */
#ifndef XENSTORE_WIRE_H
#define XENSTORE_WIRE_H

#include <stdint.h>

/* Message types.  Numbers are fixed by the protocol and never reused. */
enum xs_msg_type {
	XS_CONTROL = 0, /* formerly DEBUG */
	XS_DIRECTORY = 1,
	XS_READ = 2,
	XS_GET_PERMS = 3,
	XS_WATCH = 4,
	XS_UNWATCH = 5,
	XS_TRANSACTION_START = 6,
	XS_TRANSACTION_END = 7,
	XS_INTRODUCE = 8,
	XS_RELEASE = 9,
	XS_GET_DOMAIN_PATH = 10,
	XS_WRITE = 11,
	XS_MKDIR = 12,
	XS_RM = 13,
	XS_SET_PERMS = 14,
	XS_WATCH_EVENT = 15, /* server to client only */
	XS_ERROR = 16,	     /* server to client only */
	XS_IS_DOMAIN_INTRODUCED = 17,
	XS_RESUME = 18,
	XS_SET_TARGET = 19,
	XS_RESTRICT = 20, /* removed upstream; still answered here */
	XS_RESET_WATCHES = 21,
	XS_DIRECTORY_PART = 22,
	XS_GET_FEATURE = 23,
	XS_SET_FEATURE = 24,
	XS_GET_QUOTA = 25,
	XS_SET_QUOTA = 26,
	XS_TYPE_COUNT, /* one past the highest type we know */
	XS_INVALID = 0xffff, /* guaranteed never to be a valid type */
};

/* Every message, both ways, starts with this header (native endian). */
struct xs_msg_hdr {
	uint32_t type;	 /* enum xs_msg_type */
	uint32_t req_id; /* echoed in the reply; 0 in watch events */
	uint32_t tx_id;	 /* transaction, 0 for none; echoed in the reply */
	uint32_t len;	 /* payload bytes that follow, <= XS_PAYLOAD_MAX */
};

#define XS_HDR_SIZE 16u
_Static_assert(sizeof(struct xs_msg_hdr) == XS_HDR_SIZE, "header is 16 bytes");

/* Limits fixed by the protocol (io/xs_wire.h). */
#define XS_PAYLOAD_MAX 4096u	   /* XENSTORE_PAYLOAD_MAX */
#define XS_ABS_PATH_MAX 3072u	   /* XENSTORE_ABS_PATH_MAX */
#define XS_REL_PATH_MAX 2048u	   /* XENSTORE_REL_PATH_MAX */

/*
 * Error names, in the order of io/xs_wire.h's xsd_errors table.  X(name):
 * the errno constant of the same name is what the daemon uses internally.
 */
#define XS_ERRORS(X) \
	X(EINVAL)    \
	X(EACCES)    \
	X(EEXIST)    \
	X(EISDIR)    \
	X(ENOENT)    \
	X(ENOMEM)    \
	X(ENOSPC)    \
	X(EIO)       \
	X(ENOTEMPTY) \
	X(ENOSYS)    \
	X(EROFS)     \
	X(EBUSY)     \
	X(EAGAIN)    \
	X(EISCONN)   \
	X(E2BIG)     \
	X(EPERM)

/* Shared ring page layout (io/xs_wire.h, docs/misc/xenstore-ring.txt). */
#define XS_RING_SIZE 1024u
#define XS_RING_IDX(idx) ((idx) & (XS_RING_SIZE - 1))

struct xs_ring_page {
	char req[XS_RING_SIZE];	 /* guest -> daemon */
	char rsp[XS_RING_SIZE];	 /* daemon -> guest */
	uint32_t req_cons, req_prod;
	uint32_t rsp_cons, rsp_prod;
	uint32_t server_features; /* XS_FEATURE_* bits, written by the daemon */
	uint32_t connection;	  /* XS_CONNECTED / XS_RECONNECT */
	uint32_t error;		  /* XS_ERROR_* */
	uint32_t evtchn;	  /* event channel port */
};

#define XS_FEATURE_RECONNECTION 1u /* bit 0 */
#define XS_FEATURE_ERROR 2u	   /* bit 1 */
#define XS_FEATURE_WATCH_DEPTH 4u  /* bit 2 */

#define XS_CONNECTED 0u
#define XS_RECONNECT 1u

#define XS_ERROR_NONE 0u
#define XS_ERROR_COMMS 1u     /* event channel problem */
#define XS_ERROR_RINGIDX 2u   /* bad ring indexes */
#define XS_ERROR_PROTO 3u     /* message longer than XS_PAYLOAD_MAX */

#endif
