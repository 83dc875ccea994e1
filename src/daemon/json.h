/* SPDX-License-Identifier: MIT */
/*
 * A small JSON writer into a fixed buffer, for replies that must fit one
 * message (CONTROL stats).  Values are written in order; the writer puts
 * the commas.  Nothing is allocated.  When the buffer runs out the writer
 * stops writing and remembers it (json_overflowed); json_mark() and
 * json_rewind() let a caller drop a partly written element and stop
 * cleanly, for paged output.
 *
 * Strings are escaped as RFC 8259 asks: '"' and '\' with a backslash,
 * control characters as \n, \t ... or \u00XX.  Bytes of 0x7f and above
 * are written as \u00XX too (the byte as a Latin-1 code point), so the
 * output is ASCII and valid UTF-8 whatever it is given.
 */
#ifndef XS_DAEMON_JSON_H
#define XS_DAEMON_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json {
	char *buf;		/* not owned; always NUL-terminated */
	size_t cap;		/* bytes of buf, NUL included */
	size_t len;		/* bytes written, NUL excluded */
	bool comma;		/* the next value needs a comma before it */
	bool overflow;		/* something did not fit */
};

struct json_mark {
	size_t len;
	bool comma, overflow;
};

/* Start writing into buf[0..cap), cap >= 1. */
void json_init(struct json *j, char *buf, size_t cap);

/*
 * Each value takes a key: the member name inside an object, NULL inside
 * an array or at the top.
 */
void json_object_begin(struct json *j, const char *key);
void json_object_end(struct json *j);
void json_array_begin(struct json *j, const char *key);
void json_array_end(struct json *j);
void json_uint(struct json *j, const char *key, uint64_t v);
void json_bool(struct json *j, const char *key, bool v);
void json_null(struct json *j, const char *key);
void json_string(struct json *j, const char *key, const char *s);

bool json_overflowed(const struct json *j);
struct json_mark json_mark(const struct json *j);
void json_rewind(struct json *j, struct json_mark m);

#endif
