/* SPDX-License-Identifier: MIT */
/*
 * Watchers that do not keep up.  Per connection the daemon queues at most
 * 1024 watch events and drops events that wait longer than the
 * watch-event timeout (here 1 s); writers never wait for watchers.  The
 * daemon logs both, once per connection and per sweep.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "expect.h"
#include "proto.h"

static struct daemon_proc dp;

static int setup(void **state)
{
	return daemon_start(&dp, "--timeout=watch-event=1");
}

static int teardown(void **state)
{
	return daemon_stop(&dp) == 0 ? 0 : -1;
}

static bool log_has(const char *text)
{
	char path[128], line[512];
	bool found = false;

	snprintf(path, sizeof(path), "%s/log", dp.dir);
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, text) != NULL;
	fclose(f);
	return found;
}

/* A watcher whose socket buffer is tiny, so events back up in the daemon. */
static int small_watcher(const char *path_token, size_t len)
{
	struct xmsg m;
	int fd = xconn(&dp);
	int small = 4096;

	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	assert_int_equal(xreq(fd, XS_WATCH, 0, path_token, len, &m), 0);
	EXPECT_OK(m, XS_WATCH);
	return fd;
}

static unsigned int drain(int fd)
{
	struct events ev;

	collect_events(fd, &ev);
	return ev.count;
}

static void test_event_bound(void **state)
{
	struct xmsg m;
	int w = small_watcher("/b\0tok\0", 7), c = xconn(&dp);

	for (int i = 0; i < 3000; i++) {
		assert_int_equal(XREQ(c, XS_WRITE, 0, "/b/k\0v", &m), 0);
		EXPECT_OK(m, XS_WRITE);
	}
	/* Some were dropped at the bound; what was kept arrives in order. */
	unsigned int got = drain(w);
	assert_true(got > 1000 && got < 3001);
	assert_true(log_has("dropping watch events (reader too slow)"));
	/* The watch still works afterwards. */
	assert_int_equal(XREQ(c, XS_WRITE, 0, "/b/k\0v", &m), 0);
	assert_int_equal(drain(w), 1);
	forget_events(w);
	close(w);
	close(c);
}

static void test_event_timeout(void **state)
{
	struct xmsg m;
	int w = small_watcher("/e\0tok\0", 7), c = xconn(&dp);

	for (int i = 0; i < 500; i++)
		assert_int_equal(XREQ(c, XS_WRITE, 0, "/e/k\0v", &m), 0);
	/* Unread for longer than the timeout: the queued ones go. */
	sleep(3);
	assert_int_equal(XREQ(c, XS_WRITE, 0, "/e/k\0v", &m), 0);
	unsigned int got = drain(w);
	assert_true(got < 500);
	assert_true(log_has("watch events not read in time"));
	forget_events(w);
	close(w);
	close(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_event_bound),
		cmocka_unit_test(test_event_timeout),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
