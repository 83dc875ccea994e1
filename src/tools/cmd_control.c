/* SPDX-License-Identifier: MIT */
/*
 * xenstore-control: send one CONTROL command with its arguments and print
 * the daemon's answer.  Exit status: 0 done, 1 no daemon, 2 bad command
 * line, 3 the daemon refused (an unknown command also lists the valid
 * ones, from the daemon's "help").
 *
 * "live-update" is a sequence of its own: hand the daemon the new binary
 * (a file name for a daemon process; the image itself, in chunks, for a
 * xenstore stub domain, which /tool/xenstored/domid reveals), optionally
 * a command line, then start the update, repeating while the daemon
 * answers BUSY until the timeout; on failure the update is aborted.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tools.h"

/* Size of the image pieces sent to a stub domain. */
#define BLOB_CHUNK 2048u
/* Default seconds a live update may wait for the daemon to be idle. */
#define LU_TIMEOUT 60u

/* NUL-separated argument list. */
struct arg_buf {
	char *buf;
	size_t len;
	bool failed; /* out of memory; further adds are ignored */
};

static void arg_add_bytes(struct arg_buf *a, const void *data, size_t len)
{
	char *grown;

	if (a->failed)
		return;
	grown = realloc(a->buf, a->len + len + 1);
	if (!grown) {
		a->failed = true;
		return;
	}
	a->buf = grown;
	memcpy(a->buf + a->len, data, len);
	a->buf[a->len + len] = '\0';
	a->len += len + 1;
}

static void arg_add(struct arg_buf *a, const char *s)
{
	arg_add_bytes(a, s, strlen(s));
}

static void arg_release(struct arg_buf *a)
{
	free(a->buf);
	a->buf = NULL;
	a->len = 0;
}

/* Send live-update with the given arguments; 0 if the daemon said OK. */
static int lu_step(struct xs_handle *xsh, struct arg_buf *a, const char *what)
{
	char *ret;
	int rc = 0;

	if (a->failed) {
		arg_release(a);
		return 1;
	}
	ret = xs_control_command(xsh, "live-update", a->buf,
				 (unsigned int)a->len);
	arg_release(a);
	if (!ret || strcmp(ret, "OK") != 0) {
		fprintf(stderr, "%s failed:\n%s\n", what,
			ret ? ret : strerror(errno));
		rc = 3;
	}
	free(ret);
	return rc;
}

static int lu_start(struct xs_handle *xsh, bool force, unsigned int timeout)
{
	struct arg_buf a = {0};
	char num[16];
	char *ret = strdup("BUSY");
	time_t start;

	snprintf(num, sizeof(num), "%u", timeout);
	arg_add(&a, "-s");
	arg_add(&a, "-t");
	arg_add(&a, num);
	if (force)
		arg_add(&a, "-F");
	if (a.failed || !ret) {
		arg_release(&a);
		free(ret);
		return 1;
	}
	/* The daemon says BUSY while it cannot stop cleanly: ask again. */
	for (start = time(NULL); time(NULL) - start < (time_t)timeout;) {
		free(ret);
		ret = xs_control_command(xsh, "live-update", a.buf,
					 (unsigned int)a.len);
		if (!ret || strcmp(ret, "BUSY") != 0)
			break;
		sleep(1);
	}
	arg_release(&a);
	if (!ret || strcmp(ret, "OK") != 0) {
		fprintf(stderr, "Starting live update failed:\n%s\n",
			ret ? ret : strerror(errno));
		free(ret);
		return 3;
	}
	free(ret);
	return 0;
}

static int lu_cmdline(struct xs_handle *xsh, const char *cmdline)
{
	struct arg_buf a = {0};

	arg_add(&a, "-c");
	arg_add(&a, cmdline);
	return lu_step(xsh, &a, "Setting update binary");
}

/*
 * Send a stub domain image: its size, then pieces of "-d", the piece size
 * and the bytes.  Xen's tool loads the image with libxenguest, which also
 * unpacks compressed kernels; this one sends the file as it is.
 */
static int lu_send_image(struct xs_handle *xsh, const char *file)
{
	struct arg_buf a = {0};
	char num[32];
	FILE *f = fopen(file, "rb");
	long size;
	char *image = NULL;
	int rc = 1;

	if (!f) {
		fprintf(stderr, "%s: %s\n", file, strerror(errno));
		return 1;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0)
		goto out;
	image = malloc(size ? (size_t)size : 1);
	if (!image || fread(image, 1, (size_t)size, f) != (size_t)size)
		goto out;

	snprintf(num, sizeof(num), "%ld", size);
	arg_add(&a, "-b");
	arg_add(&a, num);
	rc = lu_step(xsh, &a, "Starting live update");
	for (long off = 0; rc == 0 && off < size; off += BLOB_CHUNK) {
		size_t sz = (size_t)(size - off) < BLOB_CHUNK
				    ? (size_t)(size - off)
				    : BLOB_CHUNK;

		snprintf(num, sizeof(num), "%zu", sz);
		arg_add(&a, "-d");
		arg_add(&a, num);
		arg_add_bytes(&a, image + off, sz);
		rc = lu_step(xsh, &a, "Transfer of new binary");
	}
out:
	free(image);
	fclose(f);
	return rc;
}

static int live_update(struct xs_handle *xsh, int argc, char **argv)
{
	const char *binary = NULL, *cmdline = NULL;
	unsigned int timeout = LU_TIMEOUT, len;
	bool force = false;
	struct arg_buf a = {0};
	char *stubdom;
	int rc;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "-c") == 0) {
			if (++i == argc) {
				fprintf(stderr, "Missing command line value\n");
				return 2;
			}
			cmdline = argv[i];
		} else if (strcmp(argv[i], "-t") == 0) {
			if (++i == argc) {
				fprintf(stderr, "Missing timeout value\n");
				return 2;
			}
			timeout = (unsigned int)atoi(argv[i]);
		} else if (strcmp(argv[i], "-F") == 0) {
			force = true;
		} else {
			binary = argv[i];
		}
	}
	if (!binary) {
		fprintf(stderr, "Missing binary specification\n");
		return 2;
	}

	stubdom = xs_read(xsh, XBT_NULL, "/tool/xenstored/domid", &len);
	if (stubdom) {
		rc = lu_send_image(xsh, binary);
	} else {
		arg_add(&a, "-f");
		arg_add(&a, binary);
		rc = lu_step(xsh, &a, "Setting update binary");
		if (rc)
			return rc; /* nothing to abort yet */
	}
	free(stubdom);
	if (rc == 0 && cmdline)
		rc = lu_cmdline(xsh, cmdline);
	if (rc == 0)
		rc = lu_start(xsh, force, timeout);
	if (rc != 0)
		free(xs_control_command(xsh, "live-update", "-a", 3));
	return rc;
}

int control_main(int argc, char **argv)
{
	struct arg_buf par = {0};
	struct xs_handle *xsh;
	char *ret;
	int rc = 0;

	if (argc < 2) {
		fprintf(stderr, "Usage:\n%s <command> [<arg>...]\n", argv[0]);
		return 2;
	}
	xsh = xs_open(0);
	if (!xsh) {
		fprintf(stderr, "Failed to contact Xenstored.\n");
		return 1;
	}
	if (strcmp(argv[1], "live-update") == 0) {
		rc = live_update(xsh, argc - 2, argv + 2);
		goto out;
	}

	for (int i = 2; i < argc; i++)
		arg_add(&par, argv[i]);
	if (par.failed) {
		fprintf(stderr, "Allocation error.\n");
		rc = 1;
		goto out;
	}
	ret = xs_control_command(xsh, argv[1], par.buf, (unsigned int)par.len);
	if (!ret) {
		rc = 3;
		if (errno == EINVAL) {
			/* Most likely an unknown command: show the known ones. */
			ret = xs_control_command(xsh, "help", NULL, 0);
			if (ret)
				fprintf(stderr,
					"Command not supported. Valid commands are:\n%s\n",
					ret);
			else
				fprintf(stderr, "Error when executing command.\n");
		} else {
			fprintf(stderr, "Error %d when trying to execute command.\n",
				errno);
		}
	} else if (ret[0] != '\0') {
		printf("%s\n", ret);
	}
	free(ret);
out:
	xs_close(xsh);
	arg_release(&par);
	return rc;
}
