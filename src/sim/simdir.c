/* SPDX-License-Identifier: MIT */
/*
 * Domain directories of a simulation directory (docs/sim.md), seen from
 * the simulated hypervisor: creation, info and state files, the virq
 * FIFO, removal and listing.  See simdir.h.  Everything is opened
 * relative to the directory fd, without following a final symlink and
 * without blocking, and file contents are parsed strictly.
 */
#include "sim/simdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SIM_PAGE_SIZE 4096
#define SMALL_FILE 64

static const char *const state_words[] = {
	[SIM_RUNNING] = "running",
	[SIM_SHUTDOWN] = "shutdown",
	[SIM_DEAD] = "dead",
	[SIM_INVALID] = "invalid",
};

const char *sim_state_name(enum sim_state st)
{
	return (unsigned int)st <= SIM_INVALID ? state_words[st] : "invalid";
}

/* A decimal number at *p: digits, no leading zero, at most max. */
static bool parse_num(const char **p, uint64_t max, uint64_t *out)
{
	const char *c = *p;
	uint64_t v = 0;

	if (*c < '0' || *c > '9' || (c[0] == '0' && c[1] >= '0' && c[1] <= '9'))
		return false;
	for (; *c >= '0' && *c <= '9'; c++) {
		unsigned int d = (unsigned int)(*c - '0');

		if (v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*p = c;
	*out = v;
	return true;
}

bool sim_parse_domid(const char *s, unsigned int *domid)
{
	uint64_t v;

	if (!parse_num(&s, SIM_DOMID_MAX, &v) || *s != '\0' || v == 0)
		return false;
	*domid = (unsigned int)v;
	return true;
}

static void dom_name(char *buf, size_t size, unsigned int domid,
		     const char *leaf)
{
	snprintf(buf, size, "dom%u%s%s", domid, leaf ? "/" : "",
		 leaf ? leaf : "");
}

static int make_virq(int dir_fd)
{
	if (mkfifoat(dir_fd, "virq", 0666) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int sim_dir_open(const char *dir, bool create)
{
	int fd, ret;

	if (create && mkdir(dir, 0777) < 0 && errno != EEXIST)
		return -errno;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (create) {
		ret = make_virq(fd);
		if (ret < 0) {
			close(fd);
			return ret;
		}
	}
	return fd;
}

bool sim_dom_exists(int dir_fd, unsigned int domid)
{
	char name[32];
	struct stat st;

	dom_name(name, sizeof(name), domid, NULL);
	return fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       S_ISDIR(st.st_mode);
}

/* Write all of text to a new file name in dfd. */
static int write_file(int dfd, const char *name, const char *text)
{
	size_t len = strlen(text), done = 0;
	int fd = openat(dfd, name,
			O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
			0666);
	int ret = 0;

	if (fd < 0)
		return -errno;
	while (done < len) {
		ssize_t n = write(fd, text + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			break;
		}
		done += (size_t)n;
	}
	if (close(fd) < 0 && ret == 0)
		ret = -errno;
	return ret;
}

/* Remove a directory's entries (one level) and the directory. */
static int remove_dir(int dir_fd, const char *name)
{
	int fd = openat(dir_fd, name,
			O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct dirent *de;
	DIR *d;
	int ret = 0;

	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		ret = -errno;
		close(fd);
		return ret;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (unlinkat(fd, de->d_name, 0) < 0 &&
		    (errno != EISDIR ||
		     unlinkat(fd, de->d_name, AT_REMOVEDIR) < 0) &&
		    errno != ENOENT && ret == 0)
			ret = -errno;
	}
	closedir(d);
	if (unlinkat(dir_fd, name, AT_REMOVEDIR) < 0 && ret == 0)
		ret = -errno;
	return ret;
}

/* The files of a new domain, in the directory open as fd. */
static int fill_domain(int fd, unsigned int domid)
{
	char text[SMALL_FILE];
	int ring, ret;

	ring = openat(fd, "ring", O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (ring < 0)
		return -errno;
	ret = ftruncate(ring, SIM_PAGE_SIZE) < 0 ? -errno : 0; /* zeros */
	close(ring);
	if (ret < 0)
		return ret;
	if (mkfifoat(fd, "evtchn-up", 0666) < 0 ||
	    mkfifoat(fd, "evtchn-down", 0666) < 0)
		return -errno;
	snprintf(text, sizeof(text), "%u %u %u\n", domid, SIM_GFN_BASE + domid,
		 SIM_PORT);
	ret = write_file(fd, "info", text);
	if (ret < 0)
		return ret;
	return write_file(fd, "state", "running\n");
}

int sim_dom_create(int dir_fd, unsigned int domid)
{
	char tmp[64], name[32];
	int fd, ret;

	if (domid < 1 || domid > SIM_DOMID_MAX)
		return -EINVAL;
	ret = make_virq(dir_fd);
	if (ret < 0)
		return ret;
	if (sim_dom_exists(dir_fd, domid))
		return -EEXIST;
	snprintf(tmp, sizeof(tmp), ".new-dom%u.%ld", domid, (long)getpid());
	dom_name(name, sizeof(name), domid, NULL);
	if (mkdirat(dir_fd, tmp, 0777) < 0)
		return -errno;
	fd = openat(dir_fd, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
	} else {
		ret = fill_domain(fd, domid);
		close(fd);
	}
	/*
	 * rename() replaces an empty directory but not a full one: a
	 * concurrent create of the same id fails here.
	 */
	if (ret == 0 && renameat(dir_fd, tmp, dir_fd, name) < 0)
		ret = errno == ENOTEMPTY ? -EEXIST : -errno;
	if (ret < 0)
		remove_dir(dir_fd, tmp);
	return ret;
}

int sim_dom_create_next(int dir_fd, unsigned int *domid)
{
	for (unsigned int id = 1; id <= SIM_DOMID_MAX; id++) {
		int ret;

		if (sim_dom_exists(dir_fd, id))
			continue;
		ret = sim_dom_create(dir_fd, id);
		if (ret == -EEXIST)
			continue; /* someone else took it meanwhile */
		if (ret == 0)
			*domid = id;
		return ret;
	}
	return -ENOSPC;
}

/* A small regular file, NUL-terminated: its length or -errno (-EIO when
 * it is something else or too long, or holds a NUL). */
static int read_small(int dir_fd, unsigned int domid, const char *leaf,
		      char *buf, size_t size)
{
	char name[64];
	struct stat st;
	size_t len = 0;
	int fd, ret;

	dom_name(name, sizeof(name), domid, leaf);
	fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EIO;
	}
	ret = 0;
	while (ret == 0) {
		ssize_t n = read(fd, buf + len, size - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			ret = -errno;
		else if (n == 0)
			break;
		else if ((len += (size_t)n) == size)
			ret = -EIO;
	}
	close(fd);
	if (ret < 0)
		return ret;
	buf[len] = '\0';
	return strlen(buf) == len ? (int)len : -EIO;
}

static bool at_line_end(const char *p, const char *end)
{
	return p == end || (p + 1 == end && *p == '\n');
}

int sim_dom_info(int dir_fd, unsigned int domid, uint64_t *gfn,
		 uint32_t *port)
{
	char buf[SMALL_FILE] = "";
	const char *p = buf;
	uint64_t id, g, pt;
	int len = read_small(dir_fd, domid, "info", buf, sizeof(buf));

	if (len == -ENOTDIR)
		return -ENOENT;
	if (len < 0)
		return len;
	if (!parse_num(&p, SIM_DOMID_MAX, &id) || *p++ != ' ' ||
	    !parse_num(&p, UINT64_MAX, &g) || *p++ != ' ' ||
	    !parse_num(&p, UINT32_MAX, &pt) || !at_line_end(p, buf + len) ||
	    id != domid)
		return -EIO;
	*gfn = g;
	*port = (uint32_t)pt;
	return 0;
}

enum sim_state sim_dom_state(int dir_fd, unsigned int domid)
{
	char buf[SMALL_FILE] = "";
	int len = read_small(dir_fd, domid, "state", buf, sizeof(buf));

	if (len == -ENOENT || len == -ENOTDIR)
		return SIM_DEAD;
	if (len < 0)
		return SIM_INVALID;
	for (int st = SIM_RUNNING; st <= SIM_DEAD; st++) {
		size_t wl = strlen(state_words[st]);

		if (strncmp(buf, state_words[st], wl) == 0 &&
		    at_line_end(buf + wl, buf + len))
			return (enum sim_state)st;
	}
	return SIM_INVALID;
}

int sim_virq(int dir_fd)
{
	const char byte = 1;
	int fd, ret;

	ret = make_virq(dir_fd);
	if (ret < 0)
		return ret;
	fd = openat(dir_fd, "virq", O_RDWR | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do
		ret = (int)write(fd, &byte, 1);
	while (ret < 0 && errno == EINTR);
	/* Full: a notification is already pending. */
	ret = ret < 0 && errno != EAGAIN ? -errno : 0;
	close(fd);
	return ret;
}

int sim_dom_set_state(int dir_fd, unsigned int domid, enum sim_state st)
{
	char tmp[64], name[32], line[16];
	int ret;

	if (st > SIM_DEAD)
		return -EINVAL;
	if (!sim_dom_exists(dir_fd, domid))
		return -ENOENT;
	snprintf(tmp, sizeof(tmp), "dom%u/.state.%ld", domid, (long)getpid());
	dom_name(name, sizeof(name), domid, "state");
	snprintf(line, sizeof(line), "%s\n", state_words[st]);
	ret = write_file(dir_fd, tmp, line);
	if (ret == 0 && renameat(dir_fd, tmp, dir_fd, name) < 0)
		ret = -errno;
	if (ret < 0) {
		unlinkat(dir_fd, tmp, 0);
		return ret;
	}
	return sim_virq(dir_fd);
}

int sim_dom_reap(int dir_fd, unsigned int domid)
{
	char name[32];

	dom_name(name, sizeof(name), domid, NULL);
	return remove_dir(dir_fd, name);
}

static int cmp_uint(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return (x > y) - (x < y);
}

int sim_dom_list(int dir_fd, unsigned int **ids, size_t *n)
{
	unsigned int *v = NULL, id;
	size_t len = 0, cap = 0;
	struct dirent *de;
	DIR *d;
	int fd = dup(dir_fd), ret = 0;

	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		ret = -errno;
		close(fd);
		return ret;
	}
	rewinddir(d);
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "dom", 3) != 0 ||
		    !sim_parse_domid(de->d_name + 3, &id) ||
		    !sim_dom_exists(dir_fd, id))
			continue;
		if (len == cap) {
			unsigned int *nv;

			cap = cap ? 2 * cap : 16;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				ret = -ENOMEM;
				break;
			}
			v = nv;
		}
		v[len++] = id;
	}
	closedir(d);
	if (ret < 0) {
		free(v);
		return ret;
	}
	if (len)
		qsort(v, len, sizeof(*v), cmp_uint);
	*ids = v;
	*n = len;
	return 0;
}
