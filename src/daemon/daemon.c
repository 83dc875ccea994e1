/* SPDX-License-Identifier: MIT */
/*
 * The daemon's state and its per-round work; see daemon.h.
 */
#include "daemon.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "journal.h"

/* Messages one connection may dispatch before the next one's turn. */
#define TURN_BUDGET 32
/* Defaults for the bounds on one connection's queued output. */
#define DEFAULT_EVENT_LIMIT 1024u
#define DEFAULT_OUT_LIMIT (256u * 1024u)
/* The reference daemon's watch-event timeout: 20 s. */
#define DEFAULT_EVENT_TIMEOUT_MS 20000u

static int init_tree(struct store *s)
{
	static const struct xs_perm dom0_only = {.domid = 0, .access = PERM_NONE};
	struct node *n;

	/* The reference's initial tree: / and /tool/xenstored, dom0's. */
	return store_create(s, "/tool/xenstored", &dom0_only, 1, &n);
}

int daemon_init(struct daemon *d)
{
	static const char *const special_paths[SPECIAL_COUNT] = {
		[SPECIAL_INTRODUCE] = "@introduceDomain",
		[SPECIAL_RELEASE] = "@releaseDomain",
	};
	int ret;

	memset(d, 0, sizeof(*d));
	d->loop.epfd = -1;
	quota_defaults(&d->quotas);
	d->event_limit = DEFAULT_EVENT_LIMIT;
	d->out_limit = DEFAULT_OUT_LIMIT;
	d->event_timeout_ms = DEFAULT_EVENT_TIMEOUT_MS;
	d->started = time(NULL);
	for (int i = 0; i < SPECIAL_COUNT; i++) {
		d->special[i].path = special_paths[i];
		d->special[i].perms = calloc(1, sizeof(struct xs_perm));
		if (!d->special[i].perms)
			return -ENOMEM;
		d->special[i].nperms = 1;
	}
	ret = acct_init(&d->acct);
	if (ret)
		return ret;
	ret = store_init(&d->store);
	if (ret)
		return ret;
	ret = init_tree(&d->store);
	if (ret)
		return ret;
	ret = watch_index_init(&d->watches);
	if (ret)
		return ret;
	ret = domains_init(&d->domains, NULL);
	if (ret)
		return ret;
	/* dom0 is known from the start and never goes away. */
	struct domain *dom0;
	ret = domain_get_or_make(d, 0, &dom0);
	if (ret)
		return ret;
	return loop_init(&d->loop);
}

void daemon_release(struct daemon *d)
{
	domains_release(d);
	while (d->conns)
		conn_close(d->conns, "daemon exiting");
	conn_reap(d);
	acct_release(&d->acct);
	watch_index_release(&d->watches);
	store_release(&d->store);
	loop_release(&d->loop);
	for (int i = 0; i < SPECIAL_COUNT; i++)
		free(d->special[i].perms);
	if (d->trace)
		fclose(d->trace);
	free(d->trace_path);
}

struct special_perms *daemon_special(struct daemon *d, const char *path)
{
	for (int i = 0; i < SPECIAL_COUNT; i++)
		if (strcmp(d->special[i].path, path) == 0)
			return &d->special[i];
	return NULL;
}

uint64_t daemon_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void daemon_expire_events(struct daemon *d)
{
	uint64_t now = daemon_now_ms();

	/* A sweep a second is enough for a timeout counted in seconds. */
	if (!d->queued_events || !d->event_timeout_ms ||
	    now < d->event_timeout_ms || now - d->last_expire_ms < 1000)
		return;
	d->last_expire_ms = now;
	for (struct conn *c = d->conns; c; c = c->next)
		if (c->out_events)
			conn_expire_events(c, now - d->event_timeout_ms);
}

bool daemon_has_pending(const struct daemon *d)
{
	return d->busy_head != NULL || d->read_head != NULL;
}

void daemon_run_pending(struct daemon *d)
{
	/* One turn for each connection that was waiting when we started;
	 * those with more to do queue up again behind the others. */
	conn_read_requested(d);

	struct conn *c = d->busy_head;
	struct conn *last = d->busy_tail;

	while (c) {
		struct conn *next = c->busy_next;
		bool end = c == last;

		d->busy_head = next;
		if (!next)
			d->busy_tail = NULL;
		c->busy = false;
		if (!c->dead && conn_process(c, TURN_BUDGET))
			conn_mark_busy(c);
		if (end)
			break;
		c = next;
	}
	/* The round's changes reach the journal before its replies leave. */
	journal_commit(d);
	conn_flush_all(d);
	/* Output sent may have brought a domain back under a quota that
	 * made some of its connections wait (acct_must_wait()). */
	if (d->quota_waiting)
		for (struct conn *w = d->conns; w; w = w->next)
			if (w->quota_wait)
				conn_quota_recheck(w);
	conn_reap(d);
}

int daemon_check(struct daemon *d, char *msg, size_t msgsize)
{
	int ret = store_check(&d->store, msg, msgsize);

	if (ret == 0)
		ret = acct_check(d, msg, msgsize);
	return ret;
}
