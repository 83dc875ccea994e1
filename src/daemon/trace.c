/* SPDX-License-Identifier: MIT */
/* The access trace; see trace.h. */
#include "trace.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conn.h"
#include "daemon.h"
#include "dispatch.h"
#include "log.h"

int trace_open(struct daemon *d, const char *path)
{
	FILE *f = fopen(path, "a");

	if (!f)
		return -errno;
	setvbuf(f, NULL, _IOLBF, 0);
	if (d->trace_path != path) {
		char *copy = log_absolute_path(path);
		if (!copy) {
			fclose(f);
			return -ENOMEM;
		}
		free(d->trace_path);
		d->trace_path = copy;
	}
	if (d->trace)
		fclose(d->trace);
	d->trace = f;
	d->trace_on = true;
	return 0;
}

int trace_reopen(struct daemon *d)
{
	bool on = d->trace_on;
	int ret;

	if (!d->trace || !d->trace_path)
		return 0;
	ret = trace_open(d, d->trace_path);
	d->trace_on = on;
	return ret;
}

void trace_close(struct daemon *d)
{
	if (d->trace)
		fclose(d->trace);
	d->trace = NULL;
	d->trace_on = false;
}

static void stamp(FILE *f)
{
	time_t now = time(NULL);
	struct tm tm;
	char buf[32];

	localtime_r(&now, &tm);
	strftime(buf, sizeof(buf), "%Y%m%d %H:%M:%S", &tm);
	fputs(buf, f);
}

/* Payload with NULs shown as blanks and other unprintables as \xNN. */
static void payload_text(FILE *f, const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)p[i];
		if (ch == '\0')
			fputc(' ', f);
		else if (ch < 0x20 || ch >= 0x7f || ch == '\\')
			fprintf(f, "\\x%02x", ch);
		else
			fputc(ch, f);
	}
}

static void line(struct daemon *d, const char *dir, const struct conn *c,
		 uint32_t type, uint32_t req_id, uint32_t tx_id, const char *p,
		 size_t len)
{
	const char *name = dispatch_type_name(type);

	fprintf(d->trace, "%s 0x%x ", dir, c->id);
	stamp(d->trace);
	if (name)
		fprintf(d->trace, " %s", name);
	else
		fprintf(d->trace, " type-%u", type);
	fprintf(d->trace, " id %u tx %u (", req_id, tx_id);
	payload_text(d->trace, p, len);
	fputs(")\n", d->trace);
}

void trace_request(struct daemon *d, const struct conn *c,
		   const struct xs_msg_hdr *hdr, const char *payload)
{
	if (!d->trace || !d->trace_on)
		return;
	line(d, "IN", c, hdr->type, hdr->req_id, hdr->tx_id, payload, hdr->len);
}

void trace_output(struct daemon *d, const struct conn *c, uint32_t type,
		  uint32_t req_id, uint32_t tx_id, const void *payload,
		  size_t len)
{
	if (!d->trace || !d->trace_on)
		return;
	line(d, "OUT", c, type, req_id, tx_id, payload, len);
}

void trace_line(struct daemon *d, const char *text)
{
	if (!d->trace || !d->trace_on)
		return;
	stamp(d->trace);
	fputc(' ', d->trace);
	payload_text(d->trace, text, strlen(text));
	fputc('\n', d->trace);
}
