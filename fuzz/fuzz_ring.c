/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the daemon's shared-ring reader and writer
 * (src/daemon/transport_ring.c): a guest that sets the indexes, flags and
 * bytes of its ring page to anything, at any time.
 *
 * The page is a heap block of exactly sizeof(struct xs_ring_page) bytes, so
 * AddressSanitizer reports any access outside it.  Domain 1 is introduced
 * through the daemon's own INTRODUCE path (domain_introduce()) over a
 * harness backend that "maps" that block; the daemon then serves the ring
 * exactly as it serves a real guest.
 *
 * Input encoding: a sequence of records, each starting with one byte k,
 * kind = k % 8.  Missing bytes at the end read as 0.
 *   0 POKE which:1 value:4  set a field of the page: which % 8 selects
 *                        req_cons, req_prod, rsp_cons, rsp_prod,
 *                        server_features, connection, error, evtchn
 *   1 SEND n:2 bytes    write n % 2048 bytes at req_prod (wrapping) and
 *                        advance req_prod by that many: a guest that may
 *                        overfill the ring
 *   2 SCRIBBLE off:2 n:1 bytes  write bytes into req[] at off % 1024
 *                        without moving an index
 *   3 EVENT              the guest's event channel fires
 *   4 RUN                one round of daemon_run_pending()
 *   5 READ               the guest reads its replies (rsp_cons = rsp_prod)
 *   6 RECONNECT          connection = 1, then EVENT
 *   7 MSG type:1 req:1 len:2 payload  a well-formed request (len %
 *                        4097), sent as SEND does when it fits
 *
 * Invariants (any failure aborts):
 *   - no access outside the page (ASan);
 *   - the daemon never writes req[], and writes rsp[] only between
 *     rsp_prod and rsp_cons + 1024;
 *   - with valid request indexes the daemon only moves req_cons forward,
 *     never past req_prod; with valid response indexes it only moves
 *     rsp_prod forward, never more than 1024 ahead of rsp_cons; with bad
 *     response indexes it writes no reply;
 *   - bad request indexes seen while the connection reads end the
 *     connection with error indicator 2;
 *   - whenever the connection ends, other than by a reconnection request,
 *     the error field says why (2 or 3), and an ended ring is not touched
 *     again until the guest asks for a reconnection;
 *   - a reconnection zeroes the indexes and the flags and makes a fresh
 *     connection;
 *   - messages read back from the response ring are well formed
 *     (payload at most 4096 bytes);
 *   - daemon_check() after every 16th RUN and at the end; nothing leaks.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/codec.h"
#include "daemon/backend.h"
#include "daemon/conn.h"
#include "daemon/daemon.h"
#include "daemon/domain.h"
#include "daemon/log.h"
#include "daemon/transport_ring.h"
#include "xenstore/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define FAIL(...)                                                           \
	do {                                                                \
		fprintf(stderr, "fuzz_ring: " __VA_ARGS__);                 \
		fputc('\n', stderr);                                        \
		abort();                                                    \
	} while (0)

#define GUEST 1u
#define MSG_MAX (XS_HDR_SIZE + XS_PAYLOAD_MAX)

static struct daemon d;
static struct backend backend;
static struct xs_ring_page *page;
/* What the guest last wrote into req[]: the daemon must leave it alone. */
static char req_shadow[XS_RING_SIZE];
/* Replies read back from rsp[], while the stream is in step. */
static uint8_t rsp_buf[MSG_MAX];
static size_t rsp_len;
static bool rsp_in_step;
static unsigned int rounds;

struct input {
	const uint8_t *p;
	size_t n;
};

static uint8_t in_u8(struct input *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static uint32_t in_u16(struct input *in)
{
	uint32_t lo = in_u8(in);
	return lo | (uint32_t)in_u8(in) << 8;
}

static uint32_t in_u32(struct input *in)
{
	uint32_t lo = in_u16(in);
	return lo | in_u16(in) << 16;
}

static const uint8_t *in_bytes(struct input *in, size_t n, size_t *got)
{
	const uint8_t *p = in->p;

	*got = n < in->n ? n : in->n;
	in->p += *got;
	in->n -= *got;
	return p;
}

/* ---- the backend: one guest whose page is `page` ---- */

static int hv_map_ring(struct backend *b, uint32_t domid, uint64_t gfn, void **pg)
{
	if (domid != GUEST)
		return -EINVAL;
	*pg = page;
	return 0;
}

static void hv_unmap_ring(struct backend *b, uint32_t domid, void *pg)
{
}

static int hv_bind(struct backend *b, uint32_t domid, uint32_t remote_port)
{
	return 1;
}

static void hv_unbind(struct backend *b, int local_port)
{
}

static int hv_notify(struct backend *b, int local_port)
{
	return 0;
}

static int hv_pending(struct backend *b)
{
	return -EAGAIN;
}

static enum domain_state hv_domain_state(struct backend *b, uint32_t domid)
{
	return domid < DOMID_RESERVED ? DOMAIN_RUNNING : DOMAIN_DEAD;
}

static void hv_close(struct backend *b)
{
}

static const struct backend_ops hv_ops = {
	.name = "fuzz-ring",
	.map_ring = hv_map_ring,
	.unmap_ring = hv_unmap_ring,
	.bind = hv_bind,
	.unbind = hv_unbind,
	.notify = hv_notify,
	.pending = hv_pending,
	.domain_state = hv_domain_state,
	.close = hv_close,
};

/* ---- checks around each daemon action ---- */

static bool idx_ok(uint32_t cons, uint32_t prod)
{
	return prod - cons <= XS_RING_SIZE;
}

static struct conn *guest_conn(void)
{
	struct domain *dom = domain_get(&d.domains, GUEST);
	struct conn *c = dom ? dom->conn : NULL;

	return c && !c->dead ? c : NULL;
}

/* Replies the guest finds between rsp_cons and rsp_prod. */
static void read_replies(void)
{
	uint32_t cons = page->rsp_cons, prod = page->rsp_prod;

	if (!idx_ok(cons, prod)) {
		rsp_in_step = false;
		return;
	}
	for (; cons != prod; cons++) {
		if (rsp_in_step) {
			rsp_buf[rsp_len++] = (uint8_t)page->rsp[XS_RING_IDX(cons)];
			struct xs_msg_hdr hdr;
			if (rsp_len >= XS_HDR_SIZE) {
				memcpy(&hdr, rsp_buf, sizeof(hdr));
				if (hdr.len > XS_PAYLOAD_MAX)
					FAIL("reply with a %u-byte payload", hdr.len);
				if (rsp_len == XS_HDR_SIZE + hdr.len)
					rsp_len = 0;
			}
		}
	}
	page->rsp_cons = prod;
}

static void act_event(void);

/* Run one daemon action, checking what it did to the page. */
static void daemon_act(void (*act)(void))
{
	struct xs_ring_page before = *page;
	struct conn *c = guest_conn();
	/* Only the event path honours a reconnection request and reads
	 * whatever the indexes say; a round reads only what was asked for. */
	bool reconnecting = act == act_event && before.connection == XS_RECONNECT;
	bool must_read = act == act_event && c && !c->paused && !c->quota_wait &&
			 c->rlen < CONN_RBUF_SIZE;

	act();

	struct xs_ring_page *after = page;
	struct conn *c2 = guest_conn();
	if (memcmp(after->req, req_shadow, sizeof(req_shadow)) != 0)
		FAIL("the daemon wrote into the request ring");
	if (reconnecting && d.domains.by_id[GUEST] &&
	    d.domains.by_id[GUEST]->introduced) {
		if (after->connection != XS_CONNECTED || after->error != XS_ERROR_NONE)
			FAIL("reconnection left connection %u error %u",
			     after->connection, after->error);
		if (!c2)
			FAIL("no connection after a reconnection");
		rsp_len = 0;
		rsp_in_step = true;
		return;
	}
	if (!c) {
		if (memcmp(&before, after, sizeof(before)) != 0)
			FAIL("the daemon touched the ring of an ended connection");
		return;
	}
	if (!c2 && after->error != XS_ERROR_RINGIDX && after->error != XS_ERROR_PROTO)
		FAIL("connection ended with error field %u", after->error);
	if (idx_ok(before.req_cons, before.req_prod)) {
		uint32_t moved = after->req_cons - before.req_cons;
		if (after->req_prod != before.req_prod ||
		    moved > before.req_prod - before.req_cons)
			FAIL("req_cons %u -> %u with req_prod %u", before.req_cons,
			     after->req_cons, before.req_prod);
	} else {
		if (after->req_cons != before.req_cons)
			FAIL("req_cons moved although the indexes were bad");
		if (must_read && (c2 || after->error != XS_ERROR_RINGIDX))
			FAIL("bad request indexes not flagged");
	}
	if (idx_ok(before.rsp_cons, before.rsp_prod)) {
		uint32_t added = after->rsp_prod - before.rsp_prod;
		if (after->rsp_cons != before.rsp_cons ||
		    !idx_ok(after->rsp_cons, after->rsp_prod) ||
		    added > XS_RING_SIZE - (before.rsp_prod - before.rsp_cons))
			FAIL("rsp_prod %u -> %u with rsp_cons %u", before.rsp_prod,
			     after->rsp_prod, before.rsp_cons);
		/* Reply bytes only in the free part of the ring. */
		for (uint32_t i = 0; i < XS_RING_SIZE; i++) {
			uint32_t rel = i - XS_RING_IDX(before.rsp_prod);
			bool in_new = XS_RING_IDX(rel) < added;
			if (!in_new && after->rsp[i] != before.rsp[i])
				FAIL("rsp[%u] written outside the free space", i);
		}
	} else if (after->rsp_prod != before.rsp_prod ||
		   memcmp(after->rsp, before.rsp, sizeof(before.rsp)) != 0) {
		FAIL("reply written although the response indexes were bad");
	}
}

static void act_event(void)
{
	struct domain *dom = domain_get(&d.domains, GUEST);

	if (dom)
		ring_domain_event(&d, dom);
}

static void act_run(void)
{
	daemon_run_pending(&d);
}

/* ---- the guest ---- */

static void guest_write(uint32_t at, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint32_t k = XS_RING_IDX(at + (uint32_t)i);
		page->req[k] = (char)p[i];
		req_shadow[k] = (char)p[i];
	}
}

static void guest_send(const uint8_t *p, size_t n)
{
	guest_write(page->req_prod, p, n);
	page->req_prod += (uint32_t)n;
}

static void guest_poke(uint8_t which, uint32_t value)
{
	uint32_t *field[] = {&page->req_cons, &page->req_prod, &page->rsp_cons,
			     &page->rsp_prod, &page->server_features,
			     &page->connection, &page->error, &page->evtchn};

	*field[which % 8] = value;
	if (which % 8 == 2 || which % 8 == 3)
		rsp_in_step = false;
}

static void guest_msg(struct input *in)
{
	uint8_t buf[MSG_MAX];
	struct xs_msg_hdr hdr;
	uint8_t type = in_u8(in), req = in_u8(in);
	uint32_t len = in_u16(in) % (XS_PAYLOAD_MAX + 1);
	size_t got;
	const uint8_t *p = in_bytes(in, len, &got);

	xs_hdr_init(&hdr, type, req, 0, (uint32_t)got);
	memcpy(buf, &hdr, sizeof(hdr));
	memcpy(buf + sizeof(hdr), p, got);
	size_t n = sizeof(hdr) + got;
	if (idx_ok(page->req_cons, page->req_prod) &&
	    n <= XS_RING_SIZE - (page->req_prod - page->req_cons))
		guest_send(buf, n);
}

static void run_record(struct input *in)
{
	uint8_t k = in_u8(in);
	size_t got;
	const uint8_t *p;

	switch (k % 8) {
	case 0: {
		uint8_t which = in_u8(in);
		guest_poke(which, in_u32(in));
		break;
	}
	case 1:
		p = in_bytes(in, in_u16(in) % 2048, &got);
		guest_send(p, got);
		break;
	case 2: {
		uint32_t off = in_u16(in);
		p = in_bytes(in, in_u8(in), &got);
		guest_write(off, p, got);
		break;
	}
	case 3:
		daemon_act(act_event);
		break;
	case 4:
		daemon_act(act_run);
		/* A check walks all 65536 domain ids: every 16th round. */
		if (++rounds % 16 == 0) {
			char msg[256];
			if (daemon_check(&d, msg, sizeof(msg)) != 0)
				FAIL("daemon_check: %s", msg);
		}
		break;
	case 5:
		read_replies();
		break;
	case 6:
		page->connection = XS_RECONNECT;
		daemon_act(act_event);
		break;
	case 7:
		guest_msg(in);
		break;
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	log_setup(LOG_TO_STDERR, NULL, LOG_LVL_ERR);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {data, size};
	char msg[256];

	page = calloc(1, sizeof(*page));
	if (!page)
		return 0;
	memset(req_shadow, 0, sizeof(req_shadow));
	rsp_len = 0;
	rsp_in_step = true;
	rounds = 0;
	if (daemon_init(&d) != 0)
		FAIL("daemon_init failed");
	backend.ops = &hv_ops;
	backend.fd = -1;
	d.domains.backend = &backend;
	if (domain_introduce(&d, GUEST, 1, 1) != 0)
		FAIL("INTRODUCE failed");

	while (in.n)
		run_record(&in);

	daemon_act(act_run);
	if (daemon_check(&d, msg, sizeof(msg)) != 0)
		FAIL("daemon_check at the end: %s", msg);
	daemon_release(&d);
	free(page);
	page = NULL;
	return 0;
}
