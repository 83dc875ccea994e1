/* SPDX-License-Identifier: MIT */
/*
 * Output held back until a transaction has committed, so a retried
 * transaction prints its results once (xenstore-read, xenstore-list).
 */
#include <err.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools.h"

/* Make room for len more bytes plus a NUL. */
static void out_reserve(struct out_buf *o, size_t len)
{
	size_t cap;
	char *grown;

	if (len < o->cap - o->len)
		return;
	if (len > (size_t)-1 / 2 - o->len - 1024)
		errx(1, "output too large");
	cap = o->len + len + 1024;
	grown = realloc(o->buf, cap);
	if (!grown)
		err(1, "malloc");
	o->buf = grown;
	o->cap = cap;
}

void out_printf(struct out_buf *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		err(1, "output");
	out_reserve(o, (size_t)n);
	va_start(ap, fmt);
	if (vsnprintf(o->buf + o->len, (size_t)n + 1, fmt, ap) != n)
		err(1, "output");
	va_end(ap);
	o->len += (size_t)n;
}

void out_raw(struct out_buf *o, const void *data, size_t len)
{
	out_reserve(o, len);
	memcpy(o->buf + o->len, data, len);
	o->len += len;
}

void out_reset(struct out_buf *o)
{
	o->len = 0;
}

void out_flush(struct out_buf *o)
{
	if (o->len)
		fwrite(o->buf, 1, o->len, stdout);
	o->len = 0;
}

void out_release(struct out_buf *o)
{
	free(o->buf);
	o->buf = NULL;
	o->len = o->cap = 0;
}
