/* SPDX-License-Identifier: MIT */
/*
 * Fairness scenarios for xsbench: do normal clients keep their latency
 * while one client floods the daemon?
 *
 * The clients (10 by default) are normal: each does one request at a time
 * on its own node /bench/fair/c<id>, a READ then a WRITE and so on, with no
 * think time, and the runner records each request's latency.  The
 * scenario's arg adds a flooder on a connection of its own, in a thread
 * started by setup and stopped by teardown, that keeps FLOOD_IN_FLIGHT
 * READs in flight - a new one sent for each reply - as fast as the daemon
 * answers:
 *
 *   FAIR_ALONE       no flooder: the reference latency;
 *   FAIR_FLOOD_DOM0  the flooder is a dom0 socket client (no quotas);
 *   FAIR_FLOOD_GUEST the flooder first RESTRICTs itself to domain
 *                    FLOOD_DOMID, so every per-domain quota applies to it.
 *
 * The flooder's throughput (replies per second from setup to teardown,
 * warm-up included) is reported with the scenario; xsbench prints the
 * normal clients' p99 with a flooder over their p99 alone.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/codec.h"
#include "scenarios.h"

#define FAIR_DIR "/bench/fair"
#define FLOOD_IN_FLIGHT 64u
#define FLOOD_DOMID "7"
#define FLOOD_HOME "/local/domain/" FLOOD_DOMID
#define FLOOD_POLL_MS 100	/* how soon the flooder notices the stop */
#define FAIR_VALUE_LEN 32u

struct flooder {
	struct xsb_conn conn;
	pthread_t thread;
	bool running;
	_Atomic bool stop;
	_Atomic uint64_t replies;
	uint64_t errors;	/* replies that were not what was asked */
	char first_error[128];
	uint64_t t0_ns;
	/* The request it repeats, FLOOD_IN_FLIGHT times over for a batch. */
	char req[FLOOD_IN_FLIGHT * (XS_HDR_SIZE + 64)];
	size_t req_len;		/* one request */
	char in[2 * (XS_HDR_SIZE + XS_PAYLOAD_MAX)];
};

static void flood_error(struct flooder *f, const char *what)
{
	if (f->errors++ == 0)
		snprintf(f->first_error, sizeof(f->first_error), "%s", what);
}

/* Send n copies of the request; false when the connection broke. */
static bool flood_send(struct flooder *f, unsigned int n)
{
	size_t len = (size_t)n * f->req_len, off = 0;

	while (off < len) {
		ssize_t w = send(f->conn.fd, f->req + off, len - off, MSG_NOSIGNAL);

		if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
			/* The daemon is not reading us (quota): wait. */
			if (atomic_load(&f->stop))
				return false;
			continue;
		}
		if (w <= 0)
			return false;
		off += (size_t)w;
	}
	return true;
}

static void *flood_main(void *arg)
{
	struct flooder *f = arg;
	size_t have = 0;

	if (!flood_send(f, FLOOD_IN_FLIGHT)) {
		flood_error(f, "send failed");
		return NULL;
	}
	while (!atomic_load_explicit(&f->stop, memory_order_relaxed)) {
		ssize_t n = recv(f->conn.fd, f->in + have, sizeof(f->in) - have, 0);
		unsigned int answered = 0;
		size_t off = 0;

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0) {
			flood_error(f, "connection lost");
			break;
		}
		have += (size_t)n;
		for (;;) {
			struct xs_msg_hdr h;

			if (have - off < XS_HDR_SIZE)
				break;
			memcpy(&h, f->in + off, XS_HDR_SIZE);
			if (h.len > XS_PAYLOAD_MAX) {
				flood_error(f, "bad reply length");
				return NULL;
			}
			if (have - off < XS_HDR_SIZE + h.len)
				break;
			if (h.type != XS_READ)
				flood_error(f, h.type == XS_ERROR ? "ERROR reply" :
					    "unexpected reply type");
			off += XS_HDR_SIZE + h.len;
			answered++;
		}
		memmove(f->in, f->in + off, have - off);
		have -= off;
		atomic_fetch_add_explicit(&f->replies, answered,
					  memory_order_relaxed);
		if (answered && !flood_send(f, answered)) {
			if (!atomic_load(&f->stop))
				flood_error(f, "send failed");
			break;
		}
	}
	return NULL;
}

/* The flooder's READ of path, FLOOD_IN_FLIGHT copies in f->req. */
static void flood_prepare(struct flooder *f, const char *path)
{
	size_t plen = strlen(path) + 1;

	f->req_len = XS_HDR_SIZE + plen;
	for (unsigned int i = 0; i < FLOOD_IN_FLIGHT; i++) {
		struct xs_msg_hdr h;

		xs_hdr_init(&h, XS_READ, 0x100000u + i, 0, (uint32_t)plen);
		memcpy(f->req + i * f->req_len, &h, XS_HDR_SIZE);
		memcpy(f->req + i * f->req_len + XS_HDR_SIZE, path, plen);
	}
}

/* Connect, become the guest if asked, and make the node to read. */
static int flood_connect(struct xsb_run *run, struct xsb_conn *ctl,
			 struct flooder *f)
{
	static struct xsb_reply reply;
	const char *name = run->sc->name;
	char value[FAIR_VALUE_LEN];
	enum xsb_status st;
	int rc;

	memset(value, 'f', sizeof(value));
	if (run->sc->arg == FAIR_FLOOD_GUEST) {
		st = xsb_call_str(ctl, XS_MKDIR, 0, FLOOD_HOME, &reply);
		if (st == XSB_OK)
			st = xsb_call2(ctl, XS_SET_PERMS, 0, FLOOD_HOME,
				       sizeof(FLOOD_HOME), "n" FLOOD_DOMID,
				       sizeof("n" FLOOD_DOMID), &reply);
		if (st != XSB_OK) {
			fprintf(stderr, "xsbench: %s: home of the flooder: %s\n",
				name, xsb_status_text(st, &reply));
			return -1;
		}
	}
	rc = xsb_connect(&f->conn, run->opts->socket, run->opts->timeout_ms);
	if (rc < 0) {
		fprintf(stderr, "xsbench: %s: connect: %s\n", name, strerror(-rc));
		return -1;
	}
	if (run->sc->arg == FAIR_FLOOD_GUEST) {
		st = xsb_call_str(&f->conn, XS_RESTRICT, 0, FLOOD_DOMID, &reply);
		if (st == XSB_OK)
			st = xsb_write(&f->conn, 0, "flood", value, sizeof(value),
				       &reply);
		flood_prepare(f, "flood");
	} else {
		st = xsb_write(&f->conn, 0, FAIR_DIR "/flood", value,
			       sizeof(value), &reply);
		flood_prepare(f, FAIR_DIR "/flood");
	}
	if (st != XSB_OK) {
		fprintf(stderr, "xsbench: %s: flooder set-up: %s\n", name,
			xsb_status_text(st, &reply));
		return -1;
	}
	xsb_set_timeout(&f->conn, FLOOD_POLL_MS);
	return 0;
}

int fair_setup(struct xsb_run *run, struct xsb_conn *ctl)
{
	struct flooder *f;

	run->has_flood = run->sc->arg != FAIR_ALONE;
	if (run->sc->arg == FAIR_ALONE)
		return 0;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	f->conn.fd = -1;
	if (flood_connect(run, ctl, f) < 0)
		goto fail;
	f->t0_ns = xsb_now_ns();
	if (pthread_create(&f->thread, NULL, flood_main, f) != 0) {
		fprintf(stderr, "xsbench: %s: cannot start the flooder\n",
			run->sc->name);
		goto fail;
	}
	f->running = true;
	run->priv = f;
	return 0;
fail:
	xsb_close(&f->conn);
	free(f);
	return -1;
}

/* This client's node, written once before timing. */
int fair_client_setup(struct xsb_worker *w)
{
	char path[64], value[FAIR_VALUE_LEN];
	enum xsb_status st;

	snprintf(path, sizeof(path), FAIR_DIR "/c%u", w->id);
	memset(value, 'a' + (char)(w->id % 26), sizeof(value));
	st = xsb_write(&w->conn, 0, path, value, sizeof(value), &w->reply);
	if (st != XSB_OK) {
		xsb_fail(w, "WRITE %s: %s", path, xsb_status_text(st, &w->reply));
		return -1;
	}
	return 0;
}

/* One request: READ back the node, or WRITE it, in turn. */
enum xsb_op_result fair_op(struct xsb_worker *w)
{
	char path[64], value[FAIR_VALUE_LEN];
	enum xsb_status st;
	bool do_read = (w->seq++ & 1) == 0;

	snprintf(path, sizeof(path), FAIR_DIR "/c%u", w->id);
	if (do_read) {
		st = xsb_call_str(&w->conn, XS_READ, 0, path, &w->reply);
		if (st == XSB_OK && w->reply.hdr.len != FAIR_VALUE_LEN)
			return xsb_fail(w, "READ %s: %u bytes", path,
					w->reply.hdr.len);
	} else {
		memset(value, 'a' + (char)(w->id % 26), sizeof(value));
		st = xsb_write(&w->conn, 0, path, value, sizeof(value), &w->reply);
	}
	if (st != XSB_OK)
		return xsb_fail(w, "%s %s: %s", do_read ? "READ" : "WRITE", path,
				xsb_status_text(st, &w->reply));
	return XSB_OP_OK;
}

void fair_teardown(struct xsb_run *run, struct xsb_conn *ctl)
{
	static struct xsb_reply reply;
	struct flooder *f = run->priv;

	if (!f)
		return;
	atomic_store(&f->stop, true);
	if (f->running)
		pthread_join(f->thread, NULL);
	uint64_t t1 = xsb_now_ns();
	run->flood_ops_per_s = (double)atomic_load(&f->replies) * 1e9 /
			       (double)(t1 - f->t0_ns);
	if (f->errors) {
		fprintf(stderr, "xsbench: %s: flooder: %s (%llu errors)\n",
			run->sc->name, f->first_error,
			(unsigned long long)f->errors);
		run->errors += f->errors;
	}
	xsb_close(&f->conn);
	free(f);
	run->priv = NULL;
	if (run->sc->arg == FAIR_FLOOD_GUEST)
		(void)xsb_call_str(ctl, XS_RM, 0, FLOOD_HOME, &reply);
}
