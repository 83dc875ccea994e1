/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the request handler: the daemon's core (store,
 * transactions, watches, quotas, domains, dispatch) driven in-process by
 * several connections at once, with an invariant checker.
 *
 * Nothing is mocked inside the daemon.  The harness supplies its
 * transports (struct conn_ops whose recv hands out bytes from the input
 * and whose sendv parses and checks what the daemon sends back) and a
 * hypervisor backend (struct backend_ops) whose ring pages are plain
 * memory, so INTRODUCE, RELEASE, domain death and guest rings all run the
 * daemon's own code.
 *
 * Connections ("slots"):
 *   0, 5   dom0 over a socket: privileged
 *   1, 2, 3 unprivileged domains 1, 2, 3
 *   4      unprivileged domain 4, the stub domain of domain 1 (SET_TARGET)
 * Domains 1-4 start with homes /local/domain/<id> that they own (as a
 * toolstack makes them).  Introduced domains get ring connections of their
 * own (records 11-13).  FUZZ_TRACE=1 in the environment prints every
 * message the slots receive, and the daemon's log.
 *
 * Input encoding: a sequence of records, each starting with one byte k;
 * kind = k >> 4, slot = (k & 15) % 6.  Missing bytes at the end read as 0.
 *   0, 15 MSG+STEP  type:1 tx:1 req:1 len:2 payload:len - queue one message
 *                   (a correct header; type byte t < 0xf0 means t % 32,
 *                   else 0xffff - (t - 0xf0); tx 0xff means 0xffffffff;
 *                   len is little-endian, taken % 4098 so 4097 is a bad
 *                   header) and then STEP the slot
 *   1  MSG          the same without the STEP
 *   2  RAW          n:1 bytes:n - raw bytes onto the slot's stream
 *   3  STEP         read the slot and dispatch exactly one message, then
 *                   send its output: the reply is checked (below)
 *   4  RUN          one round of daemon_run_pending()
 *   5  CLOSE        the peer hangs up (recv returns 0 from now on)
 *   6  OPEN         a new connection on a slot whose connection ended
 *   7  SLOW n:1     sendv takes at most n bytes per call (0: -EAGAIN,
 *                   255: no limit)
 *   8  KILL d:1     the hypervisor reports domain d destroyed
 *   9  SHUTDOWN d:1 ... shut down
 *   10 REVIVE d:1   ... running again (a new domain reusing the id)
 *   11 RING d:1 n:1 bytes:n - guest d writes bytes into its request ring
 *                   and consumes its replies, then notifies
 *   12 RECONNECT d:1 guest d asks for a ring reconnection
 *   13 POKE d:1 which:1 value:4 - guest d sets a ring index to anything
 *   14 CHECK        run the consistency check now
 *
 * Invariants (any failure aborts, so libFuzzer reports it):
 *   - daemon_check() (tree, hash, per-owner node counts and bytes, and
 *     the per-domain accounting recomputed from scratch) at the end, and
 *     within the input after every 16th STEP or RUN and at CHECK records
 *     (at most 8 times: each check walks all 65536 domain ids);
 *   - every message the daemon sends has a payload of at most 4096 bytes,
 *     an error reply names a known error, a watch event is two strings;
 *   - the reply to a STEPped request echoes its req_id and tx_id and has
 *     its type (or ERROR); outside a transaction a successful READ,
 *     DIRECTORY or GET_PERMS means the node exists and the caller may
 *     read it, a successful WRITE means it now holds exactly the value
 *     written and the caller may write it, a successful MKDIR means it
 *     exists; READ returns exactly the node's value.  Access is recomputed
 *     here from the node's permission list with a restatement of the rules
 *     (owner, first entry naming the caller or its target, default;
 *     entries of unknown domains, or of domains that appeared after the
 *     permissions were set, do not count);
 *   - daemon_release() leaves nothing allocated (LeakSanitizer).
 * CONTROL commands other than check, help, log, print, quota, quota-soft,
 * stats and memreport without a file would touch files or processes
 * (logfile, state-save, live-update): the harness turns the first letter
 * of such a command into 'X' before the daemon sees it.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "common/codec.h"
#include "common/path.h"
#include "daemon/backend.h"
#include "daemon/conn.h"
#include "daemon/daemon.h"
#include "daemon/domain.h"
#include "daemon/log.h"
#include "daemon/store.h"
#include "daemon/transport_ring.h"
#include "xenstore/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define FAIL(...)                                                           \
	do {                                                                \
		fprintf(stderr, "fuzz_requests: " __VA_ARGS__);             \
		fputc('\n', stderr);                                        \
		abort();                                                    \
	} while (0)

#define NSLOTS 6
#define SLOT_IN_MAX (64u * 1024u)
#define MSG_MAX (XS_HDR_SIZE + XS_PAYLOAD_MAX)
#define SEND_ALL 255u
/* Domain ids whose hypervisor state the input can change. */
#define NDOMS 256u

static const uint32_t slot_domid[NSLOTS] = {0, 1, 2, 3, 4, 0};

struct slot {
	struct conn *c;			/* NULL once its connection ended */
	uint8_t in[SLOT_IN_MAX];	/* bytes the peer sent, not yet read */
	size_t in_len, in_off;
	bool eof;
	uint32_t send_max;		/* bytes sendv takes per call */
	uint8_t out[MSG_MAX];		/* reassembles what the daemon sent */
	size_t out_len;
	/* The request being STEPped, when its reply is to be checked. */
	bool req_valid;
	struct xs_msg_hdr req;
	char req_payload[XS_PAYLOAD_MAX + 1];
};

/* The hypervisor as the harness plays it. */
struct fake_hv {
	uint8_t state[NDOMS];		/* enum domain_state */
	int next_port;
	unsigned int pages;		/* ring pages mapped and not unmapped */
};

static struct daemon d;
static struct slot slots[NSLOTS];
static struct fake_hv hv;
static struct backend backend;
/*
 * daemon_check() walks every possible domain id: about a millisecond.
 * Within an input it runs on every 16th STEP or RUN and on CHECK records,
 * at most CHECKS_MAX times, and always at the end.
 */
#define CHECK_EVERY 16u
#define CHECKS_MAX 8u
static unsigned int actions, checks;

/* ---- the input ---- */

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

/* Up to n bytes of the input; *got says how many there were. */
static const uint8_t *in_bytes(struct input *in, size_t n, size_t *got)
{
	const uint8_t *p = in->p;

	*got = n < in->n ? n : in->n;
	in->p += *got;
	in->n -= *got;
	return p;
}

/* ---- the checker's own statement of the access rules ---- */

static bool entry_counts(const struct xs_perm *p, uint64_t pgen)
{
	if (p->access & PERM_IGNORE)
		return false;
	if (p->domid == 0)
		return true;
	const struct domain *dom = domain_get(&d.domains, p->domid);
	return dom && dom->known_gen <= pgen;
}

static unsigned int model_access(const struct caller *who, const struct node *n)
{
	bool target = who->target != ACL_NO_TARGET;

	if (who->privileged)
		return PERM_BOTH;
	for (uint32_t i = 0; i < n->nperms; i++) {
		const struct xs_perm *p = &n->perms[i];
		bool names = p->domid == who->domid || (target && p->domid == who->target);
		if (!names || !entry_counts(p, n->pgen))
			continue;
		return i == 0 ? PERM_BOTH : (p->access & PERM_BOTH);
	}
	return n->perms[0].access & PERM_BOTH;
}

/* The node a successful request named, which the caller needs `need` on. */
static const struct node *check_node(const struct conn *c, const char *arg,
				     unsigned int need, bool special_ok,
				     const char *op)
{
	char path[PATH_BUF_SIZE];
	size_t rel;

	if (path_canonical(arg, c->caller.domid, special_ok, path, &rel) != 0)
		FAIL("%s of bad path \"%.64s\" succeeded", op, arg);
	if (path_is_special(path))
		return NULL;
	const struct node *n = store_lookup(&d.store, path);
	if (!n)
		FAIL("%s of %s succeeded but the node does not exist", op, path);
	if ((model_access(&c->caller, n) & need) != need)
		FAIL("%s of %s succeeded for domain %u (target %u) without access: "
		     "owner %u default %u, %u entries",
		     op, path, c->caller.domid, c->caller.target, n->perms[0].domid,
		     n->perms[0].access, n->nperms);
	return n;
}

/* The reply to the STEPped request, compared with the store now. */
static void check_reply(struct slot *s, const struct xs_msg_hdr *hdr,
			const char *payload)
{
	const struct xs_msg_hdr *rq = &s->req;
	const char *arg = s->req_payload;
	const struct node *n;

	s->req_valid = false;
	if (hdr->req_id != rq->req_id || hdr->tx_id != rq->tx_id)
		FAIL("reply %u/%u to request %u/%u", hdr->req_id, hdr->tx_id,
		     rq->req_id, rq->tx_id);
	if (hdr->type == XS_ERROR)
		return;
	if (hdr->type != rq->type)
		FAIL("reply of type %u to a request of type %u", hdr->type, rq->type);
	if (rq->tx_id != 0 || !s->c)
		return;
	switch (rq->type) {
	case XS_READ:
		n = check_node(s->c, arg, PERM_READ, false, "READ");
		if (hdr->len != n->vlen || (n->vlen && memcmp(payload, n->value, n->vlen)))
			FAIL("READ returned %u bytes, the node holds %u", hdr->len,
			     n->vlen);
		break;
	case XS_DIRECTORY:
		check_node(s->c, arg, PERM_READ, false, "DIRECTORY");
		break;
	case XS_GET_PERMS:
		check_node(s->c, arg, PERM_READ, true, "GET_PERMS");
		break;
	case XS_MKDIR:
		check_node(s->c, arg, 0, false, "MKDIR");
		break;
	case XS_WRITE: {
		size_t plen = strnlen(arg, rq->len);
		if (plen == rq->len)
			FAIL("WRITE without a NUL after the path succeeded");
		n = check_node(s->c, arg, PERM_WRITE, false, "WRITE");
		size_t vlen = rq->len - plen - 1;
		if (n->vlen != vlen || (vlen && memcmp(n->value, arg + plen + 1, vlen)))
			FAIL("WRITE of %zu bytes left %u bytes in the node", vlen,
			     n->vlen);
		break;
	}
	default:
		break;
	}
}

static bool error_name_known(const char *payload, uint32_t len)
{
#define ERR_NAME(e) #e,
	static const char *const names[] = {XS_ERRORS(ERR_NAME)};
#undef ERR_NAME

	if (len == 0 || payload[len - 1] != '\0')
		return false;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i], payload) == 0)
			return true;
	return false;
}

/* FUZZ_TRACE=1 in the environment: print what each slot receives. */
static bool trace_on;

static void trace_sent(const struct slot *s, const struct xs_msg_hdr *hdr,
		       const char *payload)
{
	char text[81];
	size_t n = hdr->len < sizeof(text) - 1 ? hdr->len : sizeof(text) - 1;

	for (size_t i = 0; i < n; i++)
		text[i] = payload[i] >= 32 && payload[i] < 127 ? payload[i] : '.';
	text[n] = '\0';
	fprintf(stderr, "slot %d <- type %u req %u tx %u len %u: %s\n",
		(int)(s - slots), hdr->type, hdr->req_id, hdr->tx_id, hdr->len,
		text);
}

/* One whole message the daemon sent on slot s. */
static void check_sent(struct slot *s, const struct xs_msg_hdr *hdr,
		       const char *payload)
{
	if (trace_on)
		trace_sent(s, hdr, payload);
	if (hdr->type == XS_ERROR && !error_name_known(payload, hdr->len))
		FAIL("error reply with an unknown name (%u bytes)", hdr->len);
	if (hdr->type == XS_WATCH_EVENT) {
		unsigned int nuls = 0;
		for (uint32_t i = 0; i < hdr->len; i++)
			nuls += payload[i] == '\0';
		if (nuls != 2 || payload[hdr->len - 1] != '\0')
			FAIL("watch event that is not two strings");
		return;
	}
	if (s->req_valid)
		check_reply(s, hdr, payload);
}

/* Bytes the daemon sent: reassemble messages and check each. */
static void take_output(struct slot *s, const uint8_t *p, size_t n)
{
	while (n) {
		size_t room = sizeof(s->out) - s->out_len;
		size_t k = n < room ? n : room;
		memcpy(s->out + s->out_len, p, k);
		s->out_len += k;
		p += k;
		n -= k;
		for (;;) {
			struct xs_msg_hdr hdr;
			if (s->out_len < XS_HDR_SIZE)
				break;
			memcpy(&hdr, s->out, sizeof(hdr));
			if (hdr.len > XS_PAYLOAD_MAX)
				FAIL("daemon sent a %u-byte payload", hdr.len);
			size_t whole = XS_HDR_SIZE + hdr.len;
			if (s->out_len < whole)
				break;
			check_sent(s, &hdr, (const char *)s->out + XS_HDR_SIZE);
			memmove(s->out, s->out + whole, s->out_len - whole);
			s->out_len -= whole;
		}
	}
}

/* ---- the socket-like transport ---- */

/*
 * CONTROL commands that touch files or processes (logfile, memreport
 * <file>, state-save, live-update, and whatever is added later) are made
 * unknown: only the commands listed here reach the daemon as sent.  Every
 * complete message in the connection's buffer is looked at after each
 * read, so a message is seen whole before it is dispatched.
 */
static bool control_allowed(const char *pl, uint32_t len)
{
	static const char *const allowed[] = {
		"check", "help", "log", "print", "quota", "quota-soft", "stats",
	};
	size_t cmd = strnlen(pl, len);

	if (cmd == len)
		return true; /* no NUL: the daemon refuses it (EINVAL) */
	if (strcmp(pl, "memreport") == 0)
		return cmd + 1 == len; /* without a file */
	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		if (strcmp(pl, allowed[i]) == 0)
			return true;
	return false;
}

static void neutralise_control(struct conn *c, size_t end)
{
	size_t off = 0;

	while (end - off >= XS_HDR_SIZE) {
		struct xs_msg_hdr hdr;
		memcpy(&hdr, c->rbuf + off, sizeof(hdr));
		if (hdr.len > XS_PAYLOAD_MAX || end - off - XS_HDR_SIZE < hdr.len)
			return;
		char *pl = c->rbuf + off + XS_HDR_SIZE;
		if (hdr.type == XS_CONTROL && hdr.len && !control_allowed(pl, hdr.len))
			pl[0] = 'X';
		off += XS_HDR_SIZE + hdr.len;
	}
}

static ssize_t sock_recv(struct conn *c, void *buf, size_t len)
{
	struct slot *s = c->tdata;
	size_t avail = s->in_len - s->in_off;

	if (!avail)
		return s->eof ? 0 : -EAGAIN;
	if (avail > len)
		avail = len;
	memcpy(buf, s->in + s->in_off, avail);
	s->in_off += avail;
	if (s->in_off == s->in_len)
		s->in_off = s->in_len = 0;
	neutralise_control(c, (size_t)((char *)buf - c->rbuf) + avail);
	return (ssize_t)avail;
}

static ssize_t sock_sendv(struct conn *c, const struct iovec *iov, int iovcnt)
{
	struct slot *s = c->tdata;
	size_t budget = s->send_max == SEND_ALL ? SIZE_MAX : s->send_max;
	size_t done = 0;

	for (int i = 0; i < iovcnt && done < budget; i++) {
		size_t n = iov[i].iov_len;
		if (n > budget - done)
			n = budget - done;
		take_output(s, iov[i].iov_base, n);
		done += n;
	}
	return done ? (ssize_t)done : -EAGAIN;
}

static void sock_want(struct conn *c, bool rd, bool wr)
{
}

static void sock_close(struct conn *c)
{
	struct slot *s = c->tdata;

	s->c = NULL;
	s->req_valid = false;
}

static const struct conn_ops sock_ops = {
	.name = "fuzz",
	.recv = sock_recv,
	.sendv = sock_sendv,
	.want = sock_want,
	.close = sock_close,
};

static void slot_open(struct slot *s, uint32_t domid)
{
	struct caller who = domain_caller(&d.domains, domid);

	s->in_len = s->in_off = s->out_len = 0;
	s->eof = false;
	s->req_valid = false;
	s->send_max = SEND_ALL;
	s->c = conn_new(&d, &sock_ops, s, &who);
	if (!s->c)
		FAIL("conn_new failed");
}

static void slot_append(struct slot *s, const uint8_t *p, size_t n)
{
	if (n > sizeof(s->in) - s->in_len)
		n = sizeof(s->in) - s->in_len;
	memcpy(s->in + s->in_len, p, n);
	s->in_len += n;
}

/* ---- the hypervisor ---- */

static enum domain_state hv_state(uint32_t domid)
{
	if (domid >= DOMID_RESERVED)
		return DOMAIN_DEAD;
	return domid < NDOMS ? (enum domain_state)hv.state[domid] : DOMAIN_RUNNING;
}

static int hv_map_ring(struct backend *b, uint32_t domid, uint64_t gfn, void **page)
{
	if (gfn == 0)
		return -EFAULT; /* lets the input reach the failure path */
	*page = calloc(1, sizeof(struct xs_ring_page));
	if (!*page)
		return -ENOMEM;
	hv.pages++;
	return 0;
}

static void hv_unmap_ring(struct backend *b, uint32_t domid, void *page)
{
	free(page);
	hv.pages--;
}

static int hv_bind(struct backend *b, uint32_t domid, uint32_t remote_port)
{
	if (remote_port == 0 || hv_state(domid) == DOMAIN_DEAD)
		return -EINVAL;
	return hv.next_port++;
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
	return hv_state(domid);
}

static void hv_close(struct backend *b)
{
}

static const struct backend_ops hv_ops = {
	.name = "fuzz",
	.map_ring = hv_map_ring,
	.unmap_ring = hv_unmap_ring,
	.bind = hv_bind,
	.unbind = hv_unbind,
	.notify = hv_notify,
	.pending = hv_pending,
	.domain_state = hv_domain_state,
	.close = hv_close,
};

/* The ring page of domain domid if it is connected, else NULL. */
static struct xs_ring_page *ring_of(uint32_t domid, struct domain **dom)
{
	*dom = domain_get(&d.domains, domid);
	return *dom ? (*dom)->ring : NULL;
}

/* Guest domid writes bytes into its request ring (as much as fits). */
static void ring_write(uint32_t domid, const uint8_t *p, size_t n)
{
	struct domain *dom;
	struct xs_ring_page *pg = ring_of(domid, &dom);

	if (!pg)
		return;
	uint32_t prod = pg->req_prod;
	uint32_t used = prod - pg->req_cons;
	if (used <= XS_RING_SIZE) {
		size_t room = XS_RING_SIZE - used;
		if (n > room)
			n = room;
		for (size_t i = 0; i < n; i++)
			pg->req[XS_RING_IDX(prod + (uint32_t)i)] = (char)p[i];
		pg->req_prod = prod + (uint32_t)n;
	}
	pg->rsp_cons = pg->rsp_prod; /* replies read */
	ring_domain_event(&d, dom);
}

static void ring_reconnect(uint32_t domid)
{
	struct domain *dom;
	struct xs_ring_page *pg = ring_of(domid, &dom);

	if (!pg)
		return;
	pg->connection = XS_RECONNECT;
	ring_domain_event(&d, dom);
}

static void ring_poke(uint32_t domid, uint8_t which, uint32_t value)
{
	struct domain *dom;
	struct xs_ring_page *pg = ring_of(domid, &dom);

	if (!pg)
		return;
	uint32_t *idx[] = {&pg->req_cons, &pg->req_prod, &pg->rsp_cons, &pg->rsp_prod};
	*idx[which % 4] = value;
	ring_domain_event(&d, dom);
}

/* ---- driving the daemon ---- */

static void check_daemon(const char *when)
{
	char msg[256];

	checks++;
	if (daemon_check(&d, msg, sizeof(msg)) != 0)
		FAIL("daemon_check after %s: %s", when, msg);
}

/* After a STEP or RUN: check now and then (see CHECK_EVERY). */
static void check_daemon_sometimes(const char *when)
{
	if (++actions % CHECK_EVERY == 0 && checks < CHECKS_MAX)
		check_daemon(when);
}

/* Read slot s and dispatch one message; check its reply if it comes
 * out whole now (state may differ later). */
static void step(struct slot *s)
{
	struct conn *c = s->c;

	if (!c)
		return;
	conn_on_readable(c);
	if (c->dead)
		return;
	s->req_valid = false;
	if (!c->out_head && s->out_len == 0 && c->rlen >= XS_HDR_SIZE) {
		memcpy(&s->req, c->rbuf, sizeof(s->req));
		if (s->req.len <= XS_PAYLOAD_MAX &&
		    c->rlen >= XS_HDR_SIZE + s->req.len) {
			memcpy(s->req_payload, c->rbuf + XS_HDR_SIZE, s->req.len);
			s->req_payload[s->req.len] = '\0';
			s->req_valid = true;
		}
	}
	conn_process(c, 1);
	if (!c->dead)
		conn_flush(c);
	s->req_valid = false;
	check_daemon_sometimes("a step");
}

static void queue_msg(struct slot *s, struct input *in)
{
	uint8_t t = in_u8(in), tx = in_u8(in), req = in_u8(in);
	uint32_t len = in_u16(in) % (XS_PAYLOAD_MAX + 2);
	struct xs_msg_hdr hdr;
	size_t got;
	const uint8_t *payload = in_bytes(in, len > XS_PAYLOAD_MAX ? 0 : len, &got);

	xs_hdr_init(&hdr, t < 0xf0 ? t % 32u : 0xffffu - (t - 0xf0u),
		    req, tx == 0xff ? UINT32_MAX : tx,
		    len > XS_PAYLOAD_MAX ? len : (uint32_t)got);
	slot_append(s, (const uint8_t *)&hdr, sizeof(hdr));
	slot_append(s, payload, got);
}

static void run_record(struct input *in)
{
	uint8_t k = in_u8(in);
	unsigned int kind = k >> 4;
	struct slot *s = &slots[(k & 15) % NSLOTS];
	size_t got;

	switch (kind) {
	case 0:
	case 15:
	case 1:
		if (s->c)
			queue_msg(s, in);
		else
			(void)in_bytes(in, 5, &got);
		if (kind != 1)
			step(s);
		break;
	case 2: {
		const uint8_t *p = in_bytes(in, in_u8(in), &got);
		slot_append(s, p, got);
		break;
	}
	case 3:
		step(s);
		break;
	case 4:
		daemon_run_pending(&d);
		check_daemon_sometimes("a round");
		break;
	case 5:
		if (s->c) {
			s->eof = true;
			conn_on_readable(s->c);
		}
		break;
	case 6:
		if (!s->c)
			slot_open(s, slot_domid[s - slots]);
		break;
	case 7:
		s->send_max = in_u8(in);
		if (s->c)
			conn_flush(s->c);
		break;
	case 8:
	case 9:
	case 10: {
		uint8_t domid = in_u8(in);
		if (domid == 0)
			break; /* dom0 never goes away */
		hv.state[domid] = kind == 8 ? DOMAIN_DEAD
				: kind == 9 ? DOMAIN_SHUTDOWN : DOMAIN_RUNNING;
		domains_check(&d);
		break;
	}
	case 11: {
		uint8_t domid = in_u8(in);
		const uint8_t *p = in_bytes(in, in_u8(in), &got);
		ring_write(domid, p, got);
		break;
	}
	case 12:
		ring_reconnect(in_u8(in));
		break;
	case 13: {
		uint8_t domid = in_u8(in), which = in_u8(in);
		ring_poke(domid, which, in_u32(in));
		break;
	}
	case 14:
		if (checks < CHECKS_MAX)
			check_daemon("CHECK");
		break;
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* Errors only: the daemon logs every connection and domain. */
	const char *t = getenv("FUZZ_TRACE");

	trace_on = t && *t && strcmp(t, "0") != 0;
	log_setup(LOG_TO_STDERR, NULL, trace_on ? LOG_LVL_DEBUG : LOG_LVL_ERR);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {data, size};
	struct domain *dom;

	memset(&hv, 0, sizeof(hv));
	hv.next_port = 1;
	actions = checks = 0;
	if (daemon_init(&d) != 0)
		FAIL("daemon_init failed");
	backend.ops = &hv_ops;
	backend.fd = -1;
	d.domains.backend = &backend;
	/* Domain 4 is domain 1's stub domain. */
	if (domain_get_or_make(&d, 1, &dom) != 0 ||
	    domain_set_target(&d, 4, 1) != 0)
		FAIL("setting up domains failed");
	/* Homes as a toolstack makes them: owned by the domain. */
	for (uint32_t domid = 1; domid <= 4; domid++) {
		const struct xs_perm own = {.domid = domid, .access = PERM_NONE};
		char home[PATH_HOME_MAX];
		struct node *n;
		path_home(domid, home);
		if (store_create(&d.store, home, &own, 1, &n) != 0 ||
		    store_set_perms(&d.store, n, &own, 1) != 0)
			FAIL("making the homes failed");
	}
	for (int i = 0; i < NSLOTS; i++)
		slot_open(&slots[i], slot_domid[i]);

	while (in.n)
		run_record(&in);

	/* Let everything queued run and be sent, then check once more. */
	for (int i = 0; i < NSLOTS; i++)
		slots[i].send_max = SEND_ALL;
	for (int round = 0; round < 64 && daemon_has_pending(&d); round++)
		daemon_run_pending(&d);
	daemon_run_pending(&d);
	check_daemon("the input");

	daemon_release(&d);
	if (hv.pages != 0)
		FAIL("%u ring pages still mapped after daemon_release", hv.pages);
	for (int i = 0; i < NSLOTS; i++)
		if (slots[i].c)
			FAIL("slot %d still connected after daemon_release", i);
	return 0;
}
