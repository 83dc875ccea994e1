/* SPDX-License-Identifier: MIT */
/*
 * Connections; see conn.h.
 *
 * Input is read into a fixed buffer that holds two maximal messages, so one
 * read usually brings several requests and a request is never copied
 * twice.  A header whose length is over XS_PAYLOAD_MAX ends the connection
 * before anything is allocated for it.
 *
 * Fairness and back-pressure: a connection dispatches at most a budget of
 * messages per round and then waits its turn behind the others (the
 * daemon's busy list).  While its queued output is over the daemon's
 * out_limit it is not read at all, so a client that never reads its
 * replies stops being served instead of growing our memory.
 */
#include "conn.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "common/codec.h"
#include "daemon.h"
#include "dispatch.h"
#include "log.h"
#include "stats.h"
#include "trace.h"
#include "txn.h"
#include "watch.h"

#define SEND_IOV_MAX 64

struct conn *conn_new(struct daemon *d, const struct conn_ops *ops, void *tdata,
		      const struct caller *who)
{
	struct conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->d = d;
	c->ops = ops;
	c->tdata = tdata;
	c->caller = *who;
	c->id = ++d->next_conn_id;
	c->next_tx_id = 1;
	c->next = d->conns;
	if (d->conns)
		d->conns->prev = c;
	d->conns = c;
	return c;
}

/* Charge (sign 1) or release (-1) one queued message to c's domain. */
static void charge_outbuf(struct conn *c, const struct outbuf *o, int sign)
{
	struct usage u = {
		.outstanding = o->is_event ? 0 : sign,
		.bytes = sign * (int64_t)(sizeof(*o) + o->len),
	};

	acct_add(c, &u);
}

/* Stop or resume serving c for its domain's quotas (acct_must_wait()). */
static void set_quota_wait(struct conn *c, bool wait)
{
	if (c->quota_wait == wait)
		return;
	c->quota_wait = wait;
	if (wait) {
		c->d->quota_waiting++;
		stats_quota_wait(c);
	} else {
		c->d->quota_waiting--;
	}
}

static void update_interest(struct conn *c)
{
	if (c->dead)
		return;
	c->ops->want(c, !c->paused && !c->quota_wait && c->rlen < CONN_RBUF_SIZE,
		     c->out_head != NULL);
}

void conn_mark_busy(struct conn *c)
{
	struct daemon *d = c->d;

	if (c->busy || c->dead)
		return;
	c->busy = true;
	c->busy_next = NULL;
	/* Appended: connections take turns in arrival order. */
	if (d->busy_tail)
		d->busy_tail->busy_next = c;
	else
		d->busy_head = c;
	d->busy_tail = c;
}

void conn_request_read(struct conn *c)
{
	struct daemon *d = c->d;

	if (c->read_pending || c->dead)
		return;
	c->read_pending = true;
	c->read_next = d->read_head;
	d->read_head = c;
}

void conn_read_requested(struct daemon *d)
{
	while (d->read_head) {
		struct conn *c = d->read_head;
		d->read_head = c->read_next;
		c->read_pending = false;
		if (!c->dead)
			conn_on_readable(c);
	}
}

static void mark_flush(struct conn *c)
{
	struct daemon *d = c->d;

	if (c->flush_pending || c->dead)
		return;
	c->flush_pending = true;
	c->flush_next = d->flush_head;
	d->flush_head = c;
}

/* True when a whole message is buffered; -1 when the header is bad. */
static int have_message(const struct conn *c)
{
	struct xs_msg_hdr hdr;

	if (c->rlen < XS_HDR_SIZE)
		return 0;
	memcpy(&hdr, c->rbuf, sizeof(hdr));
	if (xs_hdr_check(&hdr) != 0)
		return -1;
	return c->rlen >= XS_HDR_SIZE + hdr.len;
}

bool conn_process(struct conn *c, unsigned int budget)
{
	size_t off = 0;
	bool more = false;

	while (!c->dead) {
		struct xs_msg_hdr hdr;

		if (c->rlen - off < XS_HDR_SIZE)
			break;
		memcpy(&hdr, c->rbuf + off, sizeof(hdr));
		if (xs_hdr_check(&hdr) != 0) {
			if (c->ops->error)
				c->ops->error(c, XS_ERROR_PROTO);
			conn_close(c, "message longer than 4096 bytes");
			return false;
		}
		if (c->rlen - off < XS_HDR_SIZE + hdr.len)
			break;
		if (budget == 0 || c->out_bytes >= c->d->out_limit) {
			more = true;
			break;
		}
		if (acct_must_wait(c)) {
			set_quota_wait(c, true);
			break;
		}
		budget--;
		dispatch_message(c, &hdr, c->rbuf + off + XS_HDR_SIZE);
		off += XS_HDR_SIZE + hdr.len;
	}
	if (c->dead)
		return false;
	if (off) {
		memmove(c->rbuf, c->rbuf + off, c->rlen - off);
		c->rlen -= (uint32_t)off;
	}
	c->paused = c->out_bytes >= c->d->out_limit;
	update_interest(c);
	return more && !c->paused;
}

void conn_quota_recheck(struct conn *c)
{
	if (c->dead || acct_must_wait(c))
		return;
	set_quota_wait(c, false);
	if (have_message(c))
		conn_mark_busy(c);
	conn_request_read(c);
	update_interest(c);
}

void conn_on_readable(struct conn *c)
{
	if (c->dead || c->paused || c->quota_wait)
		return;
	/* One read per wake-up: the loop is level-triggered and calls again. */
	if (c->rlen < CONN_RBUF_SIZE) {
		ssize_t n = c->ops->recv(c, c->rbuf + c->rlen, CONN_RBUF_SIZE - c->rlen);
		if (n == 0) {
			conn_close(c, "closed by peer");
			return;
		}
		if (n < 0 && n != -EAGAIN) {
			conn_close(c, "read error");
			return;
		}
		if (n > 0)
			c->rlen += (uint32_t)n;
	}
	if (have_message(c) != 0)
		conn_mark_busy(c);
	update_interest(c);
}

void conn_flush(struct conn *c)
{
	while (c->out_head && !c->dead) {
		struct iovec iov[SEND_IOV_MAX];
		int n = 0;

		for (struct outbuf *o = c->out_head; o && n < SEND_IOV_MAX; o = o->next) {
			iov[n].iov_base = o->data + o->off;
			iov[n].iov_len = o->len - o->off;
			n++;
		}
		ssize_t sent = c->ops->sendv(c, iov, n);
		if (sent == -EAGAIN)
			break;
		if (sent < 0) {
			conn_close(c, "write error");
			return;
		}
		size_t left = (size_t)sent;
		while (left && c->out_head) {
			struct outbuf *o = c->out_head;
			size_t rest = o->len - o->off;
			if (left < rest) {
				o->off += (uint32_t)left;
				break;
			}
			left -= rest;
			c->out_head = o->next;
			if (!c->out_head)
				c->out_tail = NULL;
			c->out_bytes -= o->len;
			if (o->is_event) {
				c->out_events--;
				c->d->queued_events--;
			}
			charge_outbuf(c, o, -1);
			free(o);
		}
	}
	if (c->dead)
		return;
	if (c->paused && c->out_bytes < c->d->out_limit / 2) {
		c->paused = false;
		if (have_message(c))
			conn_mark_busy(c);
	}
	update_interest(c);
}

void conn_on_writable(struct conn *c)
{
	conn_flush(c);
}

/* Put o (its fields set) at the end of c's output, counted and charged. */
static void append_output(struct conn *c, struct outbuf *o)
{
	o->next = NULL;
	if (c->out_tail)
		c->out_tail->next = o;
	else
		c->out_head = o;
	c->out_tail = o;
	c->out_bytes += o->len;
	charge_outbuf(c, o, 1);
	mark_flush(c);
	if (o->is_event) {
		c->out_events++;
		c->d->queued_events++;
	}
}

int conn_queue(struct conn *c, uint32_t type, uint32_t req_id, uint32_t tx_id,
	       const void *payload, size_t len, bool is_event)
{
	struct xs_msg_hdr hdr;

	if (c->dead)
		return 0;
	if (len > XS_PAYLOAD_MAX)
		return -E2BIG;
	struct outbuf *o = malloc(sizeof(*o) + XS_HDR_SIZE + len);
	if (!o)
		return -ENOMEM;
	xs_hdr_init(&hdr, type, req_id, tx_id, (uint32_t)len);
	memcpy(o->data, &hdr, XS_HDR_SIZE);
	if (len)
		memcpy(o->data + XS_HDR_SIZE, payload, len);
	o->len = (uint32_t)(XS_HDR_SIZE + len);
	o->off = 0;
	o->is_event = is_event;
	o->queued_ms = is_event ? daemon_now_ms() : 0;
	append_output(c, o);
	trace_output(c->d, c, type, req_id, tx_id, payload, len);
	return 0;
}

int conn_restore_output(struct conn *c, const void *data, size_t len,
			bool is_event)
{
	if (len == 0 || len > XS_HDR_SIZE + XS_PAYLOAD_MAX)
		return -EINVAL;
	struct outbuf *o = malloc(sizeof(*o) + len);
	if (!o)
		return -ENOMEM;
	memcpy(o->data, data, len);
	o->len = (uint32_t)len;
	o->off = 0;
	o->is_event = is_event;
	/* Its time in the old process is unknown: the timeout starts again. */
	o->queued_ms = is_event ? daemon_now_ms() : 0;
	append_output(c, o);
	return 0;
}

void conn_queue_event(struct conn *c, const char *path, const char *token)
{
	char buf[XS_PAYLOAD_MAX];
	size_t plen = strlen(path), tlen = strlen(token);

	if (c->dead)
		return;
	/* An event that cannot be sent is dropped (XSA-324), as is one over
	 * the bound of queued events for a reader that does not keep up, or
	 * one that would take its domain past its hard memory quota. */
	const char *why = plen + tlen + 2 > XS_PAYLOAD_MAX ? "event too long"
			  : c->out_events >= c->d->event_limit ? "reader too slow"
			  : acct_memory_reserve(c->d, &c->caller,
						sizeof(struct outbuf) + XS_HDR_SIZE +
							plen + tlen + 2) != 0
				  ? "over its memory quota"
				  : NULL;
	if (why) {
		c->d->stats.events_dropped++;
		if (!c->event_drop_logged) {
			log_msg(LOG_LVL_WARN,
				"connection %u: dropping watch events (%s)", c->id,
				why);
			c->event_drop_logged = true;
		}
		return;
	}
	memcpy(buf, path, plen + 1);
	memcpy(buf + plen + 1, token, tlen + 1);
	if (conn_queue(c, XS_WATCH_EVENT, 0, 0, buf, plen + tlen + 2, true) == 0)
		c->d->stats.events_sent++;
}

struct txn *conn_find_txn(const struct conn *c, uint32_t id)
{
	for (struct txn *t = c->txns; t; t = t->next)
		if (t->id == id)
			return t;
	return NULL;
}

void conn_drop_txns(struct conn *c)
{
	while (c->txns) {
		struct txn *t = c->txns;
		c->txns = t->next;
		conn_txn_freed(c, t);
	}
}

void conn_txn_freed(struct conn *c, struct txn *t)
{
	struct usage u = {.txns = -1, .bytes = -(int64_t)t->charged};

	acct_add(c, &u);
	c->ntxns--;
	txn_free(t);
}

void conn_txn_recharge(struct conn *c, struct txn *t)
{
	struct usage u = {.bytes = (int64_t)t->bytes - (int64_t)t->charged};

	if (!u.bytes)
		return;
	acct_add(c, &u);
	t->charged = t->bytes;
}

void conn_remove_watches(struct conn *c)
{
	struct usage u = {.watches = -(int64_t)c->nwatches};

	for (struct watch *w = c->watches; w; w = w->onext)
		u.bytes -= (int64_t)watch_charge_of(w->path, w->token);
	watch_remove_all(&c->d->watches, &c->watches);
	c->nwatches = 0;
	acct_add(c, &u);
}

void conn_expire_events(struct conn *c, uint64_t cutoff_ms)
{
	struct outbuf **pp = &c->out_head, *prev = NULL;
	uint32_t dropped = 0;

	while (*pp) {
		struct outbuf *o = *pp;
		if (o->is_event && o->off == 0 && o->queued_ms < cutoff_ms) {
			*pp = o->next;
			c->out_bytes -= o->len;
			c->out_events--;
			c->d->queued_events--;
			charge_outbuf(c, o, -1);
			free(o);
			dropped++;
			continue;
		}
		prev = o;
		pp = &o->next;
	}
	c->out_tail = prev;
	if (dropped) {
		c->d->stats.events_dropped += dropped;
		log_msg(LOG_LVL_WARN,
			"connection %u: dropped %u watch events not read in time",
			c->id, dropped);
	}
}

static void free_output(struct conn *c)
{
	c->d->queued_events -= c->out_events;
	while (c->out_head) {
		struct outbuf *o = c->out_head;
		c->out_head = o->next;
		charge_outbuf(c, o, -1);
		free(o);
	}
	c->out_tail = NULL;
	c->out_bytes = 0;
	c->out_events = 0;
}

void conn_close(struct conn *c, const char *why)
{
	struct daemon *d = c->d;

	if (c->dead)
		return;
	/* The peer leaving, or us, is routine; anything else is news. */
	if (strcmp(why, "closed by peer") == 0 || strcmp(why, "peer hung up") == 0 ||
	    strcmp(why, "daemon exiting") == 0) {
		log_msg(LOG_LVL_DEBUG, "connection %u closed: %s", c->id, why);
	} else {
		d->stats.conns_dropped++;
		log_limited(LOG_LVL_INFO, c->caller.domid, LOG_KIND_CONN,
			    "connection %u (%s, domain %u) dropped: %s", c->id,
			    c->ops->name, c->caller.domid, why);
	}
	c->dead = true;
	conn_remove_watches(c);
	conn_drop_txns(c);
	free_output(c);
	set_quota_wait(c, false);
	c->ops->close(c);
	/* Off the live list, onto the dead one. */
	if (c->prev)
		c->prev->next = c->next;
	else
		d->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->next = d->dead;
	c->prev = NULL;
	d->dead = c;
}

void conn_reap(struct daemon *d)
{
	/* Dead connections may still sit on the busy or flush lists. */
	struct conn *prev = NULL;
	for (struct conn *c = d->busy_head; c; c = c->busy_next) {
		if (c->dead) {
			if (prev)
				prev->busy_next = c->busy_next;
			else
				d->busy_head = c->busy_next;
		} else {
			prev = c;
		}
	}
	d->busy_tail = prev;
	struct conn **pp = &d->flush_head;
	while (*pp) {
		if ((*pp)->dead)
			*pp = (*pp)->flush_next;
		else
			pp = &(*pp)->flush_next;
	}
	pp = &d->read_head;
	while (*pp) {
		if ((*pp)->dead)
			*pp = (*pp)->read_next;
		else
			pp = &(*pp)->read_next;
	}
	while (d->dead) {
		struct conn *c = d->dead;
		d->dead = c->next;
		if (c->ops->destroy)
			c->ops->destroy(c);
		free(c);
	}
}

void conn_flush_all(struct daemon *d)
{
	while (d->flush_head) {
		struct conn *c = d->flush_head;
		d->flush_head = c->flush_next;
		c->flush_pending = false;
		if (!c->dead)
			conn_flush(c);
	}
}
