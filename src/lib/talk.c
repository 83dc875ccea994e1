/* SPDX-License-Identifier: MIT */
/*
 * The request/reply engine: framing messages onto the transport, reading
 * them back, sorting replies from watch events, and the reader thread.
 * The locking scheme is described in xs_handle.h.  The API files build
 * payloads and interpret replies; only this file touches the transport
 * after the handle is open.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/codec.h"
#include "common/xs_err.h"
#include "xs_handle.h"

/* Stack of the reader thread: it only moves bytes, see reader_main(). */
#define READER_STACK_SIZE (64u * 1024u)

void xs__msg_free_list(struct xs__msg *m)
{
	while (m) {
		struct xs__msg *next = m->next;

		free(m);
		m = next;
	}
}

unsigned int xs__count_strings(const char *buf, unsigned int len)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < len; i++)
		if (buf[i] == '\0')
			n++;
	return n;
}

/* Record that the link is unusable and wake everyone waiting on it.  [L] */
static void conn_fail(struct xs_handle *h, int err)
{
	if (h->conn_err == 0)
		h->conn_err = err;
	pthread_cond_broadcast(&h->reply_cond);
	pthread_cond_broadcast(&h->watch_cond);
}

/* Read exactly len bytes.  Returns 0 or -errno (EBADF at end of stream). */
static int read_exact(struct xs_handle *h, unsigned char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = h->tp.ops->read(h->tp.ctx, buf, len);

		if (n < 0)
			return -errno;
		if (n == 0)
			return -EBADF; /* Xen's library reports EOF this way */
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Read one whole message into h->rx.  In the reader thread this is the
 * only place where cancellation is enabled.  Returns 0 or -errno.
 */
static int recv_raw(struct xs_handle *h, bool cancellable)
{
	struct xs_msg_hdr hdr;
	int old, ret;

	if (cancellable)
		pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, &old);
	ret = read_exact(h, h->rx, XS_HDR_SIZE);
	if (ret == 0) {
		memcpy(&hdr, h->rx, sizeof(hdr));
		/* The length comes from the daemon: check before reading. */
		if (xs_hdr_check(&hdr) != 0)
			ret = -E2BIG;
		else
			ret = read_exact(h, h->rx + XS_HDR_SIZE, hdr.len);
	}
	if (cancellable)
		pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
	return ret;
}

/* Copy the message in h->rx into a new xs__msg.  NULL if out of memory. */
static struct xs__msg *rx_copy(struct xs_handle *h)
{
	struct xs__msg *m;
	struct xs_msg_hdr hdr;

	memcpy(&hdr, h->rx, sizeof(hdr));
	m = malloc(sizeof(*m) + hdr.len + 1);
	if (!m)
		return NULL;
	m->next = NULL;
	m->hdr = hdr;
	memcpy(m->body, h->rx + XS_HDR_SIZE, hdr.len);
	m->body[hdr.len] = '\0';
	return m;
}

void xs__watch_pipe_set(struct xs_handle *h)
{
	char c = 0;

	if (h->watch_pipe[1] >= 0)
		while (write(h->watch_pipe[1], &c, 1) < 0 && errno == EINTR)
			;
}

void xs__watch_pipe_clear(struct xs_handle *h)
{
	char c;

	if (h->watch_pipe[0] >= 0)
		while (read(h->watch_pipe[0], &c, 1) < 0 && errno == EINTR)
			;
}

/*
 * File a received message: events to the back of the watch queue, the
 * reply into the reply slot.  A reply nobody waits for, or one with the
 * wrong req_id, means the stream is out of step: the link is failed.  [L]
 * Takes ownership of m.
 */
static void deliver(struct xs_handle *h, struct xs__msg *m)
{
	if (m->hdr.type == XS_WATCH_EVENT) {
		bool was_empty = h->watch_head == NULL;

		*h->watch_tail = m;
		h->watch_tail = &m->next;
		if (was_empty)
			xs__watch_pipe_set(h);
		pthread_cond_broadcast(&h->watch_cond);
		return;
	}
	if (!h->awaiting || h->reply || m->hdr.req_id != h->awaited_req_id) {
		free(m);
		conn_fail(h, EBADF);
		return;
	}
	h->reply = m;
	pthread_cond_broadcast(&h->reply_cond);
}

/* Receive one message and deliver it; on failure fail the link.  [!L] */
static int pump_one(struct xs_handle *h, bool cancellable)
{
	struct xs__msg *m = NULL;
	int ret = recv_raw(h, cancellable);

	if (ret == 0) {
		m = rx_copy(h);
		if (!m)
			ret = -ENOMEM;
	}
	pthread_mutex_lock(&h->lock);
	if (ret == 0)
		deliver(h, m);
	else
		conn_fail(h, -ret);
	ret = h->conn_err ? -h->conn_err : 0;
	pthread_mutex_unlock(&h->lock);
	return ret;
}

static void *reader_main(void *arg)
{
	struct xs_handle *h = arg;
	int old;

	/* Cancellation is only enabled inside the blocking read. */
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
	while (pump_one(h, true) == 0)
		;
	return NULL;
}

int xs__reader_start(struct xs_handle *h)
{
	pthread_attr_t attr;
	sigset_t all, old;
	size_t stack = READER_STACK_SIZE;
	int ret;

	pthread_mutex_lock(&h->request_lock);
	if (h->reader_running) {
		pthread_mutex_unlock(&h->request_lock);
		return 0;
	}
	ret = pthread_attr_init(&attr);
	if (ret != 0)
		goto out;
	if (stack < (size_t)PTHREAD_STACK_MIN)
		stack = (size_t)PTHREAD_STACK_MIN;
	pthread_attr_setstacksize(&attr, stack);
	/* Signals are for the application's threads, not ours. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_mutex_lock(&h->lock);
	ret = pthread_create(&h->reader, &attr, reader_main, h);
	if (ret == 0)
		h->reader_running = true;
	pthread_mutex_unlock(&h->lock);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
out:
	pthread_mutex_unlock(&h->request_lock);
	return -ret;
}

void xs__reader_stop(struct xs_handle *h)
{
	if (!h->reader_running)
		return;
	/*
	 * The reader is either blocked in a read (cancellable) or about to
	 * return to one; a thread that already ended on a failed link is
	 * simply joined.
	 */
	pthread_cancel(h->reader);
	pthread_join(h->reader, NULL);
	h->reader_running = false;
}

/* Write the whole buffer.  Returns 0 or -errno. */
static int send_all(struct xs_handle *h, const unsigned char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = h->tp.ops->write(h->tp.ctx, buf, len);

		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Wait for the reply to the request in flight, reading the transport
 * ourselves when there is no reader thread.  request_lock held.  Returns
 * the reply or NULL with errno set.
 */
static struct xs__msg *wait_reply(struct xs_handle *h)
{
	struct xs__msg *m;
	int err;

	if (!h->reader_running) {
		for (;;) {
			pthread_mutex_lock(&h->lock);
			bool done = h->reply || h->conn_err;
			pthread_mutex_unlock(&h->lock);
			if (done || pump_one(h, false) != 0)
				break;
		}
	}
	pthread_mutex_lock(&h->lock);
	while (!h->reply && !h->conn_err)
		pthread_cond_wait(&h->reply_cond, &h->lock);
	m = h->reply;
	h->reply = NULL;
	h->awaiting = false;
	err = h->conn_err;
	pthread_mutex_unlock(&h->lock);
	if (!m)
		errno = err;
	return m;
}

char *xs__talk(struct xs_handle *h, enum xs_msg_type type,
	       xs_transaction_t t, const struct iovec *iov, unsigned int niov,
	       unsigned int *len)
{
	unsigned char buf[XS_HDR_SIZE + XS_PAYLOAD_MAX];
	struct xs_msg_hdr hdr;
	struct xs__msg *m;
	size_t total = 0;
	uint32_t req_id;
	int ret, cancel_state;

	for (unsigned int i = 0; i < niov; i++) {
		if (iov[i].iov_len > XS_PAYLOAD_MAX - total) {
			errno = E2BIG;
			return NULL;
		}
		if (iov[i].iov_len)
			memcpy(buf + XS_HDR_SIZE + total, iov[i].iov_base,
			       iov[i].iov_len);
		total += iov[i].iov_len;
	}

	/*
	 * A caller cancelled between writing a request and taking its reply
	 * would leave the stream out of step and request_lock held: the
	 * exchange is not a cancellation point.
	 */
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel_state);
	pthread_mutex_lock(&h->request_lock);
	pthread_mutex_lock(&h->lock);
	ret = -h->conn_err;
	req_id = h->next_req_id++;
	if (ret == 0) {
		h->awaiting = true;
		h->awaited_req_id = req_id;
	}
	pthread_mutex_unlock(&h->lock);
	if (ret == 0) {
		xs_hdr_init(&hdr, type, req_id, t, (uint32_t)total);
		memcpy(buf, &hdr, sizeof(hdr));
		ret = send_all(h, buf, XS_HDR_SIZE + total);
		if (ret != 0) {
			pthread_mutex_lock(&h->lock);
			h->awaiting = false;
			conn_fail(h, -ret);
			pthread_mutex_unlock(&h->lock);
		}
	}
	m = ret == 0 ? wait_reply(h) : NULL;
	pthread_mutex_unlock(&h->request_lock);
	ret = ret ? ret : (m ? 0 : -errno);
	pthread_setcancelstate(cancel_state, &cancel_state);
	if (ret != 0) {
		errno = -ret;
		return NULL;
	}

	if (m->hdr.type == XS_ERROR) {
		int err = xs_err_from_name(m->body);

		free(m);
		errno = err;
		return NULL;
	}
	if (m->hdr.type != (uint32_t)type) {
		/* Out of step with the daemon: nothing later can be trusted. */
		free(m);
		pthread_mutex_lock(&h->lock);
		conn_fail(h, EBADF);
		pthread_mutex_unlock(&h->lock);
		errno = EBADF;
		return NULL;
	}
	/* Hand out the body: move it to the front of the allocation. */
	uint32_t blen = m->hdr.len;
	char *body = (char *)m;

	memmove(body, m->body, (size_t)blen + 1);
	if (len)
		*len = blen;
	/*
	 * Xen's library leaves errno 0 after a successful exchange (a side
	 * effect of its receive path) and some callers test errno instead of
	 * the result; do the same.
	 */
	errno = 0;
	return body;
}

char *xs__talk_str(struct xs_handle *h, enum xs_msg_type type,
		   xs_transaction_t t, const char *str, unsigned int *len)
{
	struct iovec iov = {.iov_base = (void *)str, .iov_len = strlen(str) + 1};

	return xs__talk(h, type, t, &iov, 1, len);
}

char *xs__talk_domid(struct xs_handle *h, enum xs_msg_type type,
		     unsigned int domid, unsigned int *len)
{
	char buf[MAX_STRLEN(domid)];

	snprintf(buf, sizeof(buf), "%u", domid);
	return xs__talk_str(h, type, XBT_NULL, buf, len);
}

bool xs__bool(char *reply)
{
	if (!reply)
		return false;
	free(reply);
	return true;
}
