/* SPDX-License-Identifier: MIT */
/*
 * Raw wire-protocol client for xsbench; see client.h.  Kept small and
 * allocation-free on the request path so that the load generator costs as
 * little CPU as possible: on a two-core machine every cycle spent here is a
 * cycle the daemon under test does not get.
 */
#include "client.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "common/codec.h"

static void set_timeouts(int fd, unsigned int ms)
{
	struct timeval tv = {
		.tv_sec = (time_t)(ms / 1000),
		.tv_usec = (suseconds_t)(ms % 1000) * 1000,
	};

	/*
	 * Both directions: a daemon that stops reading must not hang a client
	 * forever in send(), and Linux also applies SO_SNDTIMEO to connect()
	 * on a Unix socket whose backlog is full.
	 */
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

int xsb_connect(struct xsb_conn *c, const char *path, unsigned int timeout_ms)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t plen = strlen(path);
	int fd;

	c->fd = -1;
	c->timeout_ms = timeout_ms ? timeout_ms : 1;
	c->next_req_id = 1;
	c->events = 0;
	c->on_event = NULL;
	c->event_arg = NULL;
	c->rpos = c->rlen = 0;
	if (plen >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, plen + 1);

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	set_timeouts(fd, c->timeout_ms);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int err = errno;

		close(fd);
		return -err;
	}
	c->fd = fd;
	return 0;
}

void xsb_set_timeout(struct xsb_conn *c, unsigned int timeout_ms)
{
	c->timeout_ms = timeout_ms ? timeout_ms : 1;
	if (c->fd >= 0)
		set_timeouts(c->fd, c->timeout_ms);
}

void xsb_close(struct xsb_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int send_all(struct xsb_conn *c, const char *buf, size_t len)
{
	while (len > 0) {
		/* MSG_NOSIGNAL: a daemon that died is an error, not a SIGPIPE. */
		ssize_t n = send(c->fd, buf, len, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Make at least want bytes available in rbuf; -2 if SO_RCVTIMEO expired
 * (bytes already read stay buffered), -1 on EOF or error.
 */
static int fill(struct xsb_conn *c, size_t want, uint64_t deadline)
{
	while (c->rlen - c->rpos < want) {
		ssize_t n;

		if (c->rpos > 0) {
			memmove(c->rbuf, c->rbuf + c->rpos, c->rlen - c->rpos);
			c->rlen -= c->rpos;
			c->rpos = 0;
		}
		n = recv(c->fd, c->rbuf + c->rlen, sizeof(c->rbuf) - c->rlen, 0);
		if (n < 0 && errno == EINTR && now_ns() < deadline)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return -2; /* SO_RCVTIMEO expired */
		if (n <= 0)
			return -1; /* error or EOF */
		c->rlen += (size_t)n;
	}
	return 0;
}

/*
 * Read one whole message into reply: 0, or fill()'s -2 (timeout, nothing
 * consumed) or -1 (broken).
 */
static int recv_msg(struct xsb_conn *c, struct xsb_reply *reply,
		    uint64_t deadline)
{
	int rc = fill(c, XS_HDR_SIZE, deadline);

	if (rc < 0)
		return rc;
	memcpy(&reply->hdr, c->rbuf + c->rpos, XS_HDR_SIZE);
	/* An over-long length means we lost the framing: give up on it. */
	if (xs_hdr_check(&reply->hdr) < 0)
		return -1;
	rc = fill(c, XS_HDR_SIZE + reply->hdr.len, deadline);
	if (rc < 0)
		return rc;
	memcpy(reply->data, c->rbuf + c->rpos + XS_HDR_SIZE, reply->hdr.len);
	reply->data[reply->hdr.len] = '\0';
	c->rpos += XS_HDR_SIZE + reply->hdr.len;
	return 0;
}

enum xsb_status xsb_call2(struct xsb_conn *c, uint32_t type, uint32_t tx_id,
			  const void *p1, size_t n1, const void *p2, size_t n2,
			  struct xsb_reply *reply)
{
	char buf[XS_HDR_SIZE + XS_PAYLOAD_MAX];
	struct xs_msg_hdr hdr;
	uint32_t req_id;
	uint64_t deadline;

	if (c->fd < 0 || n1 > XS_PAYLOAD_MAX || n2 > XS_PAYLOAD_MAX - n1)
		return XSB_ERR_IO;
	/* req_id 0 is what watch events carry; never use it for a request. */
	req_id = c->next_req_id++;
	if (c->next_req_id == 0)
		c->next_req_id = 1;

	/* One send() per request: header and payload in the same buffer. */
	xs_hdr_init(&hdr, type, req_id, tx_id, (uint32_t)(n1 + n2));
	memcpy(buf, &hdr, XS_HDR_SIZE);
	if (n1)
		memcpy(buf + XS_HDR_SIZE, p1, n1);
	if (n2)
		memcpy(buf + XS_HDR_SIZE + n1, p2, n2);
	if (send_all(c, buf, XS_HDR_SIZE + n1 + n2) < 0)
		goto broken;

	/*
	 * The deadline bounds the whole wait, including a flood of watch
	 * events that would otherwise keep resetting SO_RCVTIMEO.
	 */
	deadline = now_ns() + (uint64_t)c->timeout_ms * 1000000u;
	for (;;) {
		if (recv_msg(c, reply, deadline) < 0)
			goto broken;
		if (reply->hdr.type == XS_WATCH_EVENT && reply->hdr.req_id == 0) {
			c->events++;
			if (c->on_event)
				c->on_event(c->event_arg, reply->data,
					    reply->hdr.len);
			if (now_ns() > deadline)
				goto broken;
			continue;
		}
		break;
	}
	if (reply->hdr.req_id != req_id || reply->hdr.tx_id != tx_id)
		return XSB_ERR_REPLY;
	if (reply->hdr.type == XS_ERROR)
		return XSB_ERR_XS;
	if (reply->hdr.type != type)
		return XSB_ERR_REPLY;
	return XSB_OK;

broken:
	/*
	 * After a timeout the reply may still come and would be taken for the
	 * answer to the next request: the stream is no longer trustworthy.
	 */
	xsb_close(c);
	return XSB_ERR_IO;
}

int xsb_next_msg(struct xsb_conn *c, struct xsb_reply *msg)
{
	int rc;

	if (c->fd < 0)
		return -1;
	rc = recv_msg(c, msg, now_ns() + (uint64_t)c->timeout_ms * 1000000u);
	if (rc == -2)
		return 0;
	if (rc < 0) {
		xsb_close(c);
		return -1;
	}
	return 1;
}

enum xsb_status xsb_call_str(struct xsb_conn *c, uint32_t type,
			     uint32_t tx_id, const char *arg,
			     struct xsb_reply *reply)
{
	return xsb_call2(c, type, tx_id, arg, strlen(arg) + 1, NULL, 0, reply);
}

enum xsb_status xsb_write(struct xsb_conn *c, uint32_t tx_id,
			  const char *path, const void *value, size_t len,
			  struct xsb_reply *reply)
{
	return xsb_call2(c, XS_WRITE, tx_id, path, strlen(path) + 1, value,
			 len, reply);
}

int xsb_reply_is_ok(const struct xsb_reply *reply)
{
	return reply->hdr.len == 3 && memcmp(reply->data, "OK", 3) == 0;
}

const char *xsb_status_text(enum xsb_status st, const struct xsb_reply *reply)
{
	switch (st) {
	case XSB_OK:
		return "ok";
	case XSB_ERR_XS:
		return reply->data; /* the error name, NUL-terminated */
	case XSB_ERR_REPLY: {
		/* Per thread: every client thread formats its own errors. */
		static _Thread_local char text[96];

		snprintf(text, sizeof(text),
			 "reply does not match (got type %u req_id %u tx_id %u)",
			 reply->hdr.type, reply->hdr.req_id, reply->hdr.tx_id);
		return text;
	}
	case XSB_ERR_IO:
		break;
	}
	return "connection error or timeout";
}
