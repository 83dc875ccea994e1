/* SPDX-License-Identifier: MIT */
/*
 * The shared-ring transport; see transport_ring.h.
 *
 * Design note on trusting the guest.  The page is writable by the guest at
 * any moment, from another vCPU.  Every index is therefore read exactly
 * once per operation with an atomic load into a local, checked (the
 * producer may never be more than 1024 bytes ahead of the consumer), and
 * only the local copies are used for the copy that follows.  Data is read
 * after the producer index (acquire) and the consumer index is published
 * after the data was copied out (release); the same pairing in the other
 * direction for replies.  A bad index sets error indicator 2 and stops the
 * connection; the domain itself stays until the hypervisor says it is gone
 * (XSA-325).  Nothing here allocates in proportion to what the guest says.
 */
#include "transport_ring.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "conn.h"
#include "daemon.h"
#include "domain.h"
#include "log.h"
#include "xenstore/wire.h"

struct ring_conn {
	struct daemon *d;
	struct domain *dom;
	struct xs_ring_page *page;
	bool want_read;
};

static uint32_t load(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void store_rel(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static void notify(struct ring_conn *rc)
{
	struct backend *b = rc->d->domains.backend;

	if (b && rc->dom->local_port >= 0)
		b->ops->notify(b, rc->dom->local_port);
}

/* Stop talking to the guest, telling it why through the error field. */
static void ring_fail(struct ring_conn *rc, uint32_t code)
{
	store_rel(&rc->page->error, code);
	notify(rc);
}

static bool indexes_ok(uint32_t cons, uint32_t prod)
{
	return prod - cons <= XS_RING_SIZE;
}

static ssize_t ring_recv(struct conn *c, void *buf, size_t len)
{
	struct ring_conn *rc = c->tdata;
	struct xs_ring_page *pg = rc->page;
	uint32_t cons = load(&pg->req_cons);
	uint32_t prod = load(&pg->req_prod);

	if (!indexes_ok(cons, prod)) {
		log_limited(LOG_LVL_WARN, rc->dom->domid, LOG_KIND_RING,
			    "domain %u: bad request ring indexes", rc->dom->domid);
		ring_fail(rc, XS_ERROR_RINGIDX);
		return -EIO;
	}
	size_t avail = prod - cons;
	if (avail == 0)
		return -EAGAIN;
	if (avail > len)
		avail = len;
	size_t off = XS_RING_IDX(cons);
	size_t first = XS_RING_SIZE - off < avail ? XS_RING_SIZE - off : avail;
	memcpy(buf, pg->req + off, first);
	memcpy((char *)buf + first, pg->req, avail - first);
	store_rel(&pg->req_cons, cons + (uint32_t)avail);
	notify(rc);
	return (ssize_t)avail;
}

static ssize_t ring_sendv(struct conn *c, const struct iovec *iov, int iovcnt)
{
	struct ring_conn *rc = c->tdata;
	struct xs_ring_page *pg = rc->page;
	uint32_t cons = load(&pg->rsp_cons);
	uint32_t prod = load(&pg->rsp_prod);
	size_t done = 0;

	if (!indexes_ok(cons, prod)) {
		log_limited(LOG_LVL_WARN, rc->dom->domid, LOG_KIND_RING,
			    "domain %u: bad response ring indexes", rc->dom->domid);
		ring_fail(rc, XS_ERROR_RINGIDX);
		return -EIO;
	}
	size_t space = XS_RING_SIZE - (prod - cons);
	for (int i = 0; i < iovcnt && space; i++) {
		const char *p = iov[i].iov_base;
		size_t n = iov[i].iov_len < space ? iov[i].iov_len : space;
		for (size_t k = 0; k < n;) {
			size_t off = XS_RING_IDX(prod + (uint32_t)(done + k));
			size_t chunk = XS_RING_SIZE - off < n - k ? XS_RING_SIZE - off : n - k;
			memcpy(pg->rsp + off, p + k, chunk);
			k += chunk;
		}
		done += n;
		space -= n;
	}
	if (done == 0)
		return -EAGAIN;
	store_rel(&pg->rsp_prod, prod + (uint32_t)done);
	notify(rc);
	return (ssize_t)done;
}

static bool has_input(const struct ring_conn *rc)
{
	return load(&rc->page->req_prod) != load(&rc->page->req_cons);
}

static void ring_want(struct conn *c, bool rd, bool wr)
{
	struct ring_conn *rc = c->tdata;

	rc->want_read = rd;
	/* No fd to wait on: if input is already there, read it next round. */
	if (rd && has_input(rc))
		conn_request_read(c);
}

static void ring_error(struct conn *c, uint32_t code)
{
	ring_fail(c->tdata, code);
}

static void ring_close(struct conn *c)
{
	struct ring_conn *rc = c->tdata;

	if (rc->dom && rc->dom->conn == c)
		rc->dom->conn = NULL;
}

static void ring_destroy(struct conn *c)
{
	free(c->tdata);
	c->tdata = NULL;
}

static const struct conn_ops ring_ops = {
	.name = "ring",
	.recv = ring_recv,
	.sendv = ring_sendv,
	.want = ring_want,
	.close = ring_close,
	.destroy = ring_destroy,
	.error = ring_error,
};

void ring_set_features(struct domain *dom, uint32_t features)
{
	struct xs_ring_page *pg = dom->ring;
	uint32_t have = load(&pg->server_features);

	store_rel(&pg->server_features, have | features);
}

struct conn *ring_conn_new(struct daemon *d, struct domain *dom)
{
	struct ring_conn *rc = calloc(1, sizeof(*rc));
	struct caller who = domain_caller(&d->domains, dom->domid);

	if (!rc)
		return NULL;
	rc->d = d;
	rc->dom = dom;
	rc->page = dom->ring;
	struct conn *c = conn_new(d, &ring_ops, rc, &who);
	if (!c) {
		free(rc);
		return NULL;
	}
	dom->conn = c;
	/* The guest may have written before it was introduced. */
	if (has_input(rc))
		conn_request_read(c);
	return c;
}

/* The guest asked for a fresh ring (xenstore-ring.txt, reconnection). */
static void reconnect(struct daemon *d, struct domain *dom)
{
	struct xs_ring_page *pg = dom->ring;

	if (dom->conn)
		conn_close(dom->conn, "ring reconnection");
	store_rel(&pg->req_cons, 0);
	store_rel(&pg->req_prod, 0);
	store_rel(&pg->rsp_cons, 0);
	store_rel(&pg->rsp_prod, 0);
	store_rel(&pg->error, XS_ERROR_NONE);
	store_rel(&pg->connection, XS_CONNECTED);
	if (!ring_conn_new(d, dom))
		log_msg(LOG_LVL_ERR, "domain %u: out of memory reconnecting",
			dom->domid);
	if (d->domains.backend && dom->local_port >= 0)
		d->domains.backend->ops->notify(d->domains.backend, dom->local_port);
	log_limited(LOG_LVL_INFO, dom->domid, LOG_KIND_RECONNECT,
		    "domain %u: ring reconnected", dom->domid);
}

void ring_domain_event(struct daemon *d, struct domain *dom)
{
	if (!dom->ring)
		return;
	if (load(&((struct xs_ring_page *)dom->ring)->connection) == XS_RECONNECT) {
		reconnect(d, dom);
		return;
	}
	struct conn *c = dom->conn;
	if (!c || c->dead)
		return;
	conn_on_readable(c);
	if (!c->dead)
		conn_on_writable(c);
}
