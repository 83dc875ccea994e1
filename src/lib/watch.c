/* SPDX-License-Identifier: MIT */
/*
 * Watches from the client's side: registering and removing them, handing
 * out queued events (blocking, non-blocking, or through the xs_fileno()
 * pipe) and the XS_UNWATCH_FILTER purge.  The queue itself is filled by
 * talk.c; see the design note in xs_handle.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xs_handle.h"

bool xs_watch(struct xs_handle *h, const char *path, const char *token)
{
	struct iovec iov[2] = {
		{.iov_base = (void *)path, .iov_len = strlen(path) + 1},
		{.iov_base = (void *)token, .iov_len = strlen(token) + 1},
	};
	int ret;

	/* Events must flow even while the application waits in poll(). */
	ret = xs__reader_start(h);
	if (ret != 0) {
		errno = -ret;
		return false;
	}
	return xs__bool(xs__talk(h, XS_WATCH, XBT_NULL, iov, 2, NULL));
}

/*
 * Turn an event into the array form: pointers, then the strings.  Always
 * at least XS_WATCH_TOKEN + 1 entries, so callers may index both even if
 * a broken daemon sent fewer strings (the missing ones are empty).
 */
static char **event_to_array(const struct xs__msg *m, unsigned int *num)
{
	unsigned int len = m->hdr.len;
	unsigned int n = xs__count_strings(m->body, len);
	unsigned int slots = n < 2 ? 2 : n;
	char **ret;
	char *s;

	ret = malloc(slots * sizeof(char *) + len + 1);
	if (!ret) {
		errno = ENOMEM;
		return NULL;
	}
	s = (char *)(ret + slots);
	memcpy(s, m->body, len);
	s[len] = '\0';
	for (unsigned int i = 0, off = 0; i < slots; i++) {
		ret[i] = s + off;
		if (i < n)
			off += (unsigned int)strlen(s + off) + 1;
		else
			ret[i] = s + len; /* the empty string at the end */
	}
	*num = slots;
	return ret;
}

static void unlock_cleanup(void *arg)
{
	pthread_mutex_unlock(arg);
}

/* Take the oldest event, waiting for one unless nonblocking. */
static char **next_event(struct xs_handle *h, unsigned int *num,
			 bool nonblocking)
{
	struct xs__msg *m = NULL;
	char **ret;
	int err = 0;

	pthread_mutex_lock(&h->lock);
	/* The wait is a cancellation point: do not exit holding the lock. */
	pthread_cleanup_push(unlock_cleanup, &h->lock);
	while (!h->watch_head && !h->conn_err && !nonblocking)
		pthread_cond_wait(&h->watch_cond, &h->lock);
	m = h->watch_head;
	if (m) {
		h->watch_head = m->next;
		if (!h->watch_head) {
			h->watch_tail = &h->watch_head;
			xs__watch_pipe_clear(h);
		}
	} else {
		err = h->conn_err ? h->conn_err : EAGAIN;
	}
	pthread_cleanup_pop(1);

	if (!m) {
		errno = err;
		return NULL;
	}
	ret = event_to_array(m, num);
	free(m);
	return ret;
}

char **xs_read_watch(struct xs_handle *h, unsigned int *num)
{
	return next_event(h, num, false);
}

char **xs_check_watch(struct xs_handle *h)
{
	unsigned int num;

	return next_event(h, &num, true);
}

/* Value of the index-th string of an event, or NULL if it has fewer. */
static const char *event_string(const struct xs__msg *m, unsigned int index)
{
	unsigned int off = 0;

	for (unsigned int i = 0; i < index; i++) {
		const char *nul = memchr(m->body + off, '\0', m->hdr.len - off);

		if (!nul)
			return NULL;
		off = (unsigned int)(nul - m->body) + 1;
		if (off >= m->hdr.len)
			return NULL;
	}
	return memchr(m->body + off, '\0', m->hdr.len - off) ? m->body + off
							     : NULL;
}

/* Drop queued events of (path, token), path matching at or below.  [L] */
static void purge_events(struct xs_handle *h, const char *path,
			 const char *token)
{
	struct xs__msg **link = &h->watch_head;
	bool had = h->watch_head != NULL;

	while (*link) {
		struct xs__msg *m = *link;
		const char *epath = event_string(m, XS_WATCH_PATH);
		const char *etoken = event_string(m, XS_WATCH_TOKEN);

		if (epath && etoken && strcmp(etoken, token) == 0 &&
		    xs_path_is_subpath(path, epath)) {
			*link = m->next;
			free(m);
		} else {
			link = &m->next;
		}
	}
	h->watch_tail = link;
	if (had && !h->watch_head)
		xs__watch_pipe_clear(h);
}

bool xs_unwatch(struct xs_handle *h, const char *path, const char *token)
{
	struct iovec iov[2] = {
		{.iov_base = (void *)path, .iov_len = strlen(path) + 1},
		{.iov_base = (void *)token, .iov_len = strlen(token) + 1},
	};
	bool ok = xs__bool(xs__talk(h, XS_UNWATCH, XBT_NULL, iov, 2, NULL));
	int saved = errno;

	/*
	 * After the reply no new event for this watch can arrive, so
	 * purging now removes every stale one.  Done even if the daemon
	 * refused, as Xen's library does.
	 */
	if (h->unwatch_filter) {
		pthread_mutex_lock(&h->lock);
		purge_events(h, path, token);
		pthread_mutex_unlock(&h->lock);
	}
	errno = saved;
	return ok;
}

int xs_fileno(struct xs_handle *h)
{
	int fd;

	pthread_mutex_lock(&h->lock);
	if (h->watch_pipe[0] < 0) {
		/*
		 * Non-blocking both ways: the one-byte invariant means reads
		 * and writes never need to wait, and a mistake must not hang
		 * the reader thread.
		 */
		if (pipe2(h->watch_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
			h->watch_pipe[0] = h->watch_pipe[1] = -1;
			pthread_mutex_unlock(&h->lock);
			return -1;
		}
		if (h->watch_head)
			xs__watch_pipe_set(h);
	}
	fd = h->watch_pipe[0];
	pthread_mutex_unlock(&h->lock);
	return fd;
}
