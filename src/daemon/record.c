/* SPDX-License-Identifier: MIT */
/*
 * Record framing and field encoding; see record.h.  Integers are written
 * byte by byte in little-endian order, so the files read the same on any
 * host.
 */
#include "record.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "crc32c.h"

void rbuf_release(struct rbuf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

/* Room for len more bytes; false (err set) when memory ran out. */
static bool rbuf_room(struct rbuf *b, size_t len)
{
	if (b->err)
		return false;
	if (b->cap - b->len >= len)
		return true;
	size_t ncap = b->cap ? b->cap : 4096;
	while (ncap - b->len < len) {
		if (ncap > SIZE_MAX / 2) {
			b->err = -ENOMEM;
			return false;
		}
		ncap *= 2;
	}
	unsigned char *nd = realloc(b->data, ncap);
	if (!nd) {
		b->err = -ENOMEM;
		return false;
	}
	b->data = nd;
	b->cap = ncap;
	return true;
}

void rbuf_put(struct rbuf *b, const void *p, size_t len)
{
	if (!len || !rbuf_room(b, len))
		return;
	memcpy(b->data + b->len, p, len);
	b->len += len;
}

static void le_put(unsigned char *out, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		out[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t le_get(const unsigned char *in, int bytes)
{
	uint64_t v = 0;

	for (int i = 0; i < bytes; i++)
		v |= (uint64_t)in[i] << (8 * i);
	return v;
}

static void rbuf_le(struct rbuf *b, uint64_t v, int bytes)
{
	if (!rbuf_room(b, (size_t)bytes))
		return;
	le_put(b->data + b->len, v, bytes);
	b->len += (size_t)bytes;
}

void rbuf_u8(struct rbuf *b, uint8_t v) { rbuf_le(b, v, 1); }
void rbuf_u16(struct rbuf *b, uint16_t v) { rbuf_le(b, v, 2); }
void rbuf_u32(struct rbuf *b, uint32_t v) { rbuf_le(b, v, 4); }
void rbuf_u64(struct rbuf *b, uint64_t v) { rbuf_le(b, v, 8); }

void rbuf_str(struct rbuf *b, const char *s, size_t len)
{
	/* Paths and tokens are at most 4096 bytes (XS_PAYLOAD_MAX). */
	rbuf_u16(b, (uint16_t)len);
	rbuf_put(b, s, len);
}

void rbuf_blob(struct rbuf *b, const void *p, size_t len)
{
	rbuf_u32(b, (uint32_t)len);
	rbuf_put(b, p, len);
}

void rbuf_perms(struct rbuf *b, const struct xs_perm *perms, uint32_t n)
{
	rbuf_u32(b, n);
	for (uint32_t i = 0; i < n; i++) {
		rbuf_u32(b, perms[i].domid);
		rbuf_u8(b, perms[i].access);
	}
}

size_t rec_start(struct rbuf *b, uint32_t type)
{
	size_t off = b->len;

	rbuf_u32(b, REC_MAGIC);
	rbuf_u32(b, type);
	rbuf_u32(b, 0); /* length, filled by rec_finish() */
	return off;
}

void rec_finish(struct rbuf *b, size_t off)
{
	if (b->err)
		return;
	size_t plen = b->len - off - REC_HDR_SIZE;
	le_put(b->data + off + 8, plen, 4);
	/* The CRC covers type, length and payload: not the magic, which
	 * is only a marker to resynchronise on. */
	rbuf_u32(b, crc32c(0, b->data + off + 4, plen + 8));
}

enum rec_status rec_parse(const unsigned char *buf, size_t len, struct rec *out)
{
	if (len < REC_HDR_SIZE)
		return len >= 4 && le_get(buf, 4) != REC_MAGIC ? REC_BAD
								: REC_TRUNCATED;
	if (le_get(buf, 4) != REC_MAGIC)
		return REC_BAD;
	uint64_t plen = le_get(buf + 8, 4);
	if (plen > REC_PAYLOAD_MAX)
		return REC_BAD;
	if (len < REC_OVERHEAD + plen)
		return REC_TRUNCATED;
	uint32_t want = (uint32_t)le_get(buf + REC_HDR_SIZE + plen, 4);
	if (crc32c(0, buf + 4, (size_t)plen + 8) != want)
		return REC_BAD;
	out->type = (uint32_t)le_get(buf + 4, 4);
	out->payload = buf + REC_HDR_SIZE;
	out->len = (uint32_t)plen;
	out->size = REC_OVERHEAD + (size_t)plen;
	return REC_OK;
}

bool rec_valid_after(const unsigned char *buf, size_t len, size_t from)
{
	static const unsigned char magic[4] = {
		REC_MAGIC & 0xff, (REC_MAGIC >> 8) & 0xff,
		(REC_MAGIC >> 16) & 0xff, REC_MAGIC >> 24,
	};
	struct rec r;

	for (size_t off = from + 1; off + REC_OVERHEAD <= len; off++) {
		const unsigned char *m = memchr(buf + off, magic[0], len - off);
		if (!m)
			return false;
		off = (size_t)(m - buf);
		if (off + REC_OVERHEAD > len)
			return false;
		if (memcmp(m, magic, 4) == 0 && rec_parse(m, len - off, &r) == REC_OK)
			return true;
	}
	return false;
}

static const unsigned char *rr_take(struct rreader *r, size_t n)
{
	if (!r->ok || r->left < n) {
		r->ok = false;
		return NULL;
	}
	const unsigned char *p = r->p;
	r->p += n;
	r->left -= n;
	return p;
}

static uint64_t rr_le(struct rreader *r, int bytes)
{
	const unsigned char *p = rr_take(r, (size_t)bytes);

	return p ? le_get(p, bytes) : 0;
}

uint8_t rr_u8(struct rreader *r) { return (uint8_t)rr_le(r, 1); }
uint16_t rr_u16(struct rreader *r) { return (uint16_t)rr_le(r, 2); }
uint32_t rr_u32(struct rreader *r) { return (uint32_t)rr_le(r, 4); }
uint64_t rr_u64(struct rreader *r) { return rr_le(r, 8); }

const char *rr_str(struct rreader *r, size_t *len)
{
	*len = rr_u16(r);
	const char *p = (const char *)rr_take(r, *len);
	if (!p)
		*len = 0;
	return p;
}

const void *rr_blob(struct rreader *r, size_t *len)
{
	*len = rr_u32(r);
	const void *p = rr_take(r, *len);
	if (!p)
		*len = 0;
	return p;
}

uint32_t rr_perms(struct rreader *r, struct xs_perm *out, uint32_t max)
{
	uint32_t n = rr_u32(r);

	if (n == 0 || n > max) {
		r->ok = false;
		return 0;
	}
	for (uint32_t i = 0; i < n; i++) {
		out[i].domid = rr_u32(r);
		out[i].access = rr_u8(r);
	}
	return r->ok ? n : 0;
}
