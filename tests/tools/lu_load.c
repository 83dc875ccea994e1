/* SPDX-License-Identifier: MIT */
/*
 * lu_load SOCKET STOPFILE: a socket client that keeps requests in flight
 * while the daemon is live-updated (tests/integration/test_live_update.sh).
 *
 * It watches /load, opens a transaction and writes /lutxn/v inside it, then
 * keeps 8 WRITE requests to /load/<k> pipelined, with consecutive req_ids,
 * until STOPFILE exists.  Every reply must be the next req_id expected -
 * so none is lost, answered twice or out of order - and "OK".  Then it
 * commits the transaction (it must succeed: nothing else touches
 * /lutxn) and reads /lutxn/v back.  Prints "replies N events M" and exits
 * 0, or prints what went wrong and exits 1.  A daemon silent for 30
 * seconds is an error (a hang guard, not a timing check).
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "xenstore/wire.h"

#define WINDOW 8
#define FIRST_REQ 1000u

static int fd = -1;
static char in[1 << 16];
static size_t inlen;
static unsigned long events;

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "lu_load: %s%s\n", what, detail);
	exit(1);
}

static void send_msg(uint32_t type, uint32_t req_id, uint32_t tx_id,
		     const char *payload, size_t len)
{
	struct xs_msg_hdr hdr = {.type = type, .req_id = req_id, .tx_id = tx_id,
				 .len = (uint32_t)len};
	char buf[sizeof(hdr) + XS_PAYLOAD_MAX];
	size_t off = 0, total = sizeof(hdr) + len;

	memcpy(buf, &hdr, sizeof(hdr));
	memcpy(buf + sizeof(hdr), payload, len);
	while (off < total) {
		ssize_t n = send(fd, buf + off, total - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("send: ", strerror(errno));
		off += (size_t)n;
	}
}

/* The next reply (not a watch event) into hdr/body (NUL-terminated). */
static void next_reply(struct xs_msg_hdr *hdr, char *body)
{
	for (;;) {
		if (inlen >= sizeof(*hdr)) {
			memcpy(hdr, in, sizeof(*hdr));
			if (hdr->len > XS_PAYLOAD_MAX)
				die("reply longer than the protocol allows", "");
			size_t mlen = sizeof(*hdr) + hdr->len;
			if (inlen >= mlen) {
				memcpy(body, in + sizeof(*hdr), hdr->len);
				body[hdr->len] = '\0';
				memmove(in, in + mlen, inlen - mlen);
				inlen -= mlen;
				if (hdr->type != XS_WATCH_EVENT)
					return;
				events++;
				continue;
			}
		}
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int r = poll(&p, 1, 30000);
		if (r == 0)
			die("no reply for 30 seconds", "");
		if (r < 0 && errno != EINTR)
			die("poll: ", strerror(errno));
		ssize_t n = recv(fd, in + inlen, sizeof(in) - inlen, 0);
		if (n == 0)
			die("the daemon closed the connection", "");
		if (n < 0 && errno != EINTR)
			die("recv: ", strerror(errno));
		if (n > 0)
			inlen += (size_t)n;
	}
}

static void expect(uint32_t req_id, const char *want, char *body)
{
	struct xs_msg_hdr hdr;
	char msg[64];

	next_reply(&hdr, body);
	if (hdr.req_id != req_id) {
		snprintf(msg, sizeof(msg), "%u, expected %u", hdr.req_id, req_id);
		die("reply to request ", msg);
	}
	if (want && strcmp(body, want) != 0)
		die("unexpected reply: ", body);
}

int main(int argc, char **argv)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	char body[XS_PAYLOAD_MAX + 1], buf[128];
	uint32_t next_send = FIRST_REQ, next_reply_id = FIRST_REQ;
	unsigned long replies = 0;

	if (argc != 3 || strlen(argv[1]) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "usage: lu_load SOCKET STOPFILE\n");
		return 2;
	}
	strcpy(addr.sun_path, argv[1]);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		die("connect: ", strerror(errno));

	send_msg(XS_WATCH, 1, 0, "/load\0w", 8);
	expect(1, "OK", body);
	send_msg(XS_TRANSACTION_START, 2, 0, "", 1);
	expect(2, NULL, body);
	uint32_t tx = (uint32_t)strtoul(body, NULL, 10);
	if (tx == 0)
		die("bad transaction id ", body);
	send_msg(XS_WRITE, 3, tx, "/lutxn/v\0committed", 18);
	expect(3, "OK", body);

	while (access(argv[2], F_OK) != 0) {
		while (next_send - next_reply_id < WINDOW) {
			int n = snprintf(buf, sizeof(buf), "/load/%u", next_send % 50);
			n += 1 + snprintf(buf + n + 1, sizeof(buf) - (size_t)n - 1, "%u",
					  next_send);
			send_msg(XS_WRITE, next_send, 0, buf, (size_t)n);
			next_send++;
		}
		expect(next_reply_id++, "OK", body);
		replies++;
	}
	while (next_reply_id != next_send) {
		expect(next_reply_id++, "OK", body);
		replies++;
	}
	send_msg(XS_TRANSACTION_END, 4, tx, "T", 2);
	expect(4, "OK", body);
	send_msg(XS_READ, 5, 0, "/lutxn/v", 9);
	expect(5, "committed", body);
	printf("replies %lu events %s\n", replies, events ? "yes" : "none");
	close(fd);
	return 0;
}
