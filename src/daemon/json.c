/* SPDX-License-Identifier: MIT */
/* The JSON writer; see json.h. */
#include "json.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

void json_init(struct json *j, char *buf, size_t cap)
{
	j->buf = buf;
	j->cap = cap;
	j->len = 0;
	j->comma = false;
	j->overflow = false;
	buf[0] = '\0';
}

static void put(struct json *j, const char *s, size_t n)
{
	if (j->overflow)
		return;
	if (n >= j->cap - j->len) {
		j->overflow = true;
		return;
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
	j->buf[j->len] = '\0';
}

static void put_str(struct json *j, const char *s)
{
	put(j, s, strlen(s));
}

static void put_quoted(struct json *j, const char *s)
{
	put(j, "\"", 1);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		char esc[8];
		switch (*p) {
		case '"': put(j, "\\\"", 2); break;
		case '\\': put(j, "\\\\", 2); break;
		case '\b': put(j, "\\b", 2); break;
		case '\f': put(j, "\\f", 2); break;
		case '\n': put(j, "\\n", 2); break;
		case '\r': put(j, "\\r", 2); break;
		case '\t': put(j, "\\t", 2); break;
		default:
			if (*p < 0x20 || *p >= 0x7f) {
				snprintf(esc, sizeof(esc), "\\u%04x", *p);
				put(j, esc, 6);
			} else {
				put(j, (const char *)p, 1);
			}
		}
	}
	put(j, "\"", 1);
}

/* Comma and key before a value. */
static void lead(struct json *j, const char *key)
{
	if (j->comma)
		put(j, ",", 1);
	if (key) {
		put_quoted(j, key);
		put(j, ":", 1);
	}
	j->comma = true;
}

void json_object_begin(struct json *j, const char *key)
{
	lead(j, key);
	put(j, "{", 1);
	j->comma = false;
}

void json_object_end(struct json *j)
{
	put(j, "}", 1);
	j->comma = true;
}

void json_array_begin(struct json *j, const char *key)
{
	lead(j, key);
	put(j, "[", 1);
	j->comma = false;
}

void json_array_end(struct json *j)
{
	put(j, "]", 1);
	j->comma = true;
}

void json_uint(struct json *j, const char *key, uint64_t v)
{
	char num[24];

	lead(j, key);
	snprintf(num, sizeof(num), "%" PRIu64, v);
	put_str(j, num);
}

void json_bool(struct json *j, const char *key, bool v)
{
	lead(j, key);
	put_str(j, v ? "true" : "false");
}

void json_null(struct json *j, const char *key)
{
	lead(j, key);
	put_str(j, "null");
}

void json_string(struct json *j, const char *key, const char *s)
{
	lead(j, key);
	put_quoted(j, s);
}

bool json_overflowed(const struct json *j)
{
	return j->overflow;
}

struct json_mark json_mark(const struct json *j)
{
	return (struct json_mark){j->len, j->comma, j->overflow};
}

void json_rewind(struct json *j, struct json_mark m)
{
	j->len = m.len;
	j->comma = m.comma;
	j->overflow = m.overflow;
	j->buf[j->len] = '\0';
}
