/* SPDX-License-Identifier: MIT */
/*
 * The record format shared by the journal and snapshot files, and the
 * encoding of state changes inside records (docs/durability.md).
 *
 * A record is: magic (u32), type (u32), payload length (u32), payload,
 * CRC-32C (u32) of type, length and payload.  All integers little-endian.
 * The magic lets a reader that met a damaged record look for later valid
 * ones cheaply, to tell a torn tail (nothing valid after it: normal after a
 * crash) from damage in the middle (never repaired silently).
 *
 * Payloads of REC_CHANGES are sequences of operations (enum jop), each a
 * type byte followed by its fields.  This file only encodes and frames;
 * recover.c gives the operations their meaning.  Owns nothing but the
 * growable buffers callers hand it.
 */
#ifndef XS_DAEMON_RECORD_H
#define XS_DAEMON_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/perms.h"

#define REC_MAGIC 0x314a5358u	/* "XSJ1" in file order */
#define REC_HDR_SIZE 12u	/* magic, type, length */
#define REC_CRC_SIZE 4u
#define REC_OVERHEAD (REC_HDR_SIZE + REC_CRC_SIZE)
/* No record is larger: a bigger length field is damage. */
#define REC_PAYLOAD_MAX (1u << 30)
#define REC_FORMAT_VERSION 1u

enum rec_type {
	REC_JOURNAL_HEAD = 1,	/* u32 version, u64 journal number */
	REC_SNAP_HEAD = 2,	/* u32 version, u64 snapshot number, u64 store gen */
	REC_CHANGES = 3,	/* operations (enum jop) */
	REC_SNAP_END = 4,	/* u64 records before this one */
};

/* Operations inside REC_CHANGES payloads; "str" is u16 length + bytes,
 * "blob" u32 length + bytes, "perms" u32 count + (u32 domid, u8 access). */
enum jop {
	JOP_CREATE = 1,		/* str path, perms: store_create() */
	JOP_VALUE = 2,		/* str path, blob value */
	JOP_PERMS = 3,		/* str path, perms */
	JOP_REMOVE = 4,		/* str path: the subtree */
	JOP_NODE = 5,		/* snapshots: str path, u64 pgen, perms, blob value */
	JOP_DOMAIN = 6,		/* u32 domid, u8 flags, u64 gfn, u32 port,
				   u32 target, u32 features, u64 known_gen,
				   u32 set_hard, u32 set_soft, u8 n,
				   n x u32 hard, n x u32 soft */
	JOP_DOMAIN_GONE = 7,	/* u32 domid */
	JOP_QUOTA = 8,		/* u8 item, u8 soft, u32 value: global, at run time */
	JOP_SPECIAL = 9,	/* u8 which, perms: @introduceDomain/@releaseDomain */
	JOP_WATCH_ADD = 10,	/* u32 domid, u32 rel_len, u32 depth+1, str path, str token */
	JOP_WATCH_DEL = 11,	/* u32 domid, str path, str token */
};

#define JOP_DOM_INTRODUCED 1u
#define JOP_DOM_SHUTDOWN 2u

/* A growable byte buffer.  err is sticky: once an append failed for want
 * of memory, every later one is ignored and err stays -ENOMEM. */
struct rbuf {
	unsigned char *data;	/* owned */
	size_t len, cap;
	int err;
};

void rbuf_release(struct rbuf *b);
void rbuf_put(struct rbuf *b, const void *p, size_t len);
void rbuf_u8(struct rbuf *b, uint8_t v);
void rbuf_u16(struct rbuf *b, uint16_t v);
void rbuf_u32(struct rbuf *b, uint32_t v);
void rbuf_u64(struct rbuf *b, uint64_t v);
void rbuf_str(struct rbuf *b, const char *s, size_t len);
void rbuf_blob(struct rbuf *b, const void *p, size_t len);
void rbuf_perms(struct rbuf *b, const struct xs_perm *perms, uint32_t n);

/* Start a record of type at the end of b: returns its offset, for
 * rec_finish() once the payload was appended. */
size_t rec_start(struct rbuf *b, uint32_t type);
/* Fill in the length and append the CRC of the record started at off. */
void rec_finish(struct rbuf *b, size_t off);

enum rec_status {
	REC_OK,
	REC_TRUNCATED,		/* the buffer ends inside the record */
	REC_BAD,		/* wrong magic, impossible length or CRC */
};

struct rec {
	uint32_t type;
	const unsigned char *payload;
	uint32_t len;
	size_t size;		/* the whole record, header and CRC included */
};

/* Parse the record at the start of buf[0..len). */
enum rec_status rec_parse(const unsigned char *buf, size_t len, struct rec *out);

/*
 * Whether a complete, valid record starts anywhere after offset from (a
 * damaged record at from is then not a torn tail).  Looks for the magic,
 * so it is linear in the bytes after from.
 */
bool rec_valid_after(const unsigned char *buf, size_t len, size_t from);

/* Reading the fields of a payload; ok turns false on the first overrun. */
struct rreader {
	const unsigned char *p;
	size_t left;
	bool ok;
};

uint8_t rr_u8(struct rreader *r);
uint16_t rr_u16(struct rreader *r);
uint32_t rr_u32(struct rreader *r);
uint64_t rr_u64(struct rreader *r);
/* A str or blob: pointer into the payload (not NUL-terminated), length. */
const char *rr_str(struct rreader *r, size_t *len);
const void *rr_blob(struct rreader *r, size_t *len);
/* Perms into out (room for max entries); count, 0 on error. */
uint32_t rr_perms(struct rreader *r, struct xs_perm *out, uint32_t max);

#endif
