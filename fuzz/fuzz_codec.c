/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the shared message codec and the text formats the
 * daemon parses before anything else sees a request: the header check,
 * payload splitting, decimal numbers (codec.c), paths (path.c) and
 * permission entries (perms.c).
 *
 * Input encoding: the whole input is used several ways at once.
 *   byte 0        max argument count for xs_split_args() (0..255)
 *   bytes 1..4    a domid for path_canonical() (little-endian u32)
 *   bytes 0..15   a message header for xs_hdr_check() when long enough
 *   all bytes     the payload for xs_split_args()
 *   each NUL-separated field of the input, as a C string, goes through
 *                 xs_parse_uint(), path_check_abs(), path_canonical() and
 *                 perm_parse().
 * Each function is compared with a plain restatement of its rule written
 * here (an independent model), and its outputs are checked to lie inside
 * the input and to round-trip; any difference aborts.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/codec.h"
#include "common/path.h"
#include "common/perms.h"
#include "xenstore/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FAIL(...)                                                           \
	do {                                                                \
		fprintf(stderr, "fuzz_codec: " __VA_ARGS__);                \
		fputc('\n', stderr);                                        \
		abort();                                                    \
	} while (0)

static void check_header(const uint8_t *data, size_t size)
{
	struct xs_msg_hdr hdr;

	if (size < sizeof(hdr))
		return;
	memcpy(&hdr, data, sizeof(hdr));
	bool ok = xs_hdr_check(&hdr) == 0;
	if (ok != (hdr.len <= XS_PAYLOAD_MAX))
		FAIL("xs_hdr_check(len=%u) returned %d", hdr.len, !ok);
}

/* Fields of a NUL-terminated payload: one per NUL; none when empty. */
static void check_split(const uint8_t *data, size_t size)
{
	const char *payload = (const char *)data;
	unsigned int max = size ? data[0] : 0;
	const char **argv = calloc(max ? max : 1, sizeof(*argv));
	unsigned int argc = 12345;

	if (!argv)
		return;
	int ret = xs_split_args(payload, size, argv, max, &argc);
	size_t nuls = 0;
	for (size_t i = 0; i < size; i++)
		nuls += data[i] == 0;
	bool want_ok = size == 0 || (data[size - 1] == 0 && nuls <= max);
	if ((ret == 0) != want_ok)
		FAIL("xs_split_args(size=%zu, max=%u) returned %d", size, max, ret);
	if (ret != 0) {
		free(argv);
		return;
	}
	if (argc != nuls)
		FAIL("xs_split_args gave %u fields for %zu NULs", argc, nuls);
	/* The fields tile the payload exactly, in order. */
	size_t pos = 0;
	for (unsigned int i = 0; i < argc; i++) {
		if (argv[i] != payload + pos)
			FAIL("field %u does not start at offset %zu", i, pos);
		pos += strlen(argv[i]) + 1;
		if (pos > size)
			FAIL("field %u runs past the payload", i);
	}
	if (pos != size)
		FAIL("fields cover %zu of %zu bytes", pos, size);
	free(argv);
}

/* Plain decimal, no sign, no leading zero, not above max. */
static void check_uint(const char *s, uint64_t max)
{
	uint64_t got = 0;
	int ret = xs_parse_uint(s, max, &got);
	size_t len = strlen(s);
	bool want_ok = len > 0 && !(s[0] == '0' && len > 1);
	unsigned __int128 v = 0;

	for (size_t i = 0; i < len && want_ok; i++) {
		if (s[i] < '0' || s[i] > '9')
			want_ok = false;
		else if ((v = v * 10 + (unsigned)(s[i] - '0')) > max)
			want_ok = false;
	}
	if ((ret == 0) != want_ok)
		FAIL("xs_parse_uint(\"%s\", %llu) returned %d", s,
		     (unsigned long long)max, ret);
	if (ret == 0 && got != (uint64_t)v)
		FAIL("xs_parse_uint(\"%s\") gave %llu", s, (unsigned long long)got);
}

static bool model_chars_ok(const char *s)
{
	for (size_t i = 0; s[i]; i++) {
		char c = s[i];
		bool legal = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9') || c == '-' || c == '/' ||
			     c == '_' || c == '@';
		if (!legal || (c == '/' && s[i + 1] == '/'))
			return false;
	}
	return true;
}

static bool model_abs_ok(const char *s)
{
	size_t len = strlen(s);

	return len > 0 && len <= XS_ABS_PATH_MAX && s[0] == '/' &&
	       !(len > 1 && s[len - 1] == '/') && model_chars_ok(s);
}

static void check_path(const char *s, uint32_t domid)
{
	static char out[PATH_BUF_SIZE], again[PATH_BUF_SIZE];
	size_t rel = 99999, rel2;

	if ((path_check_abs(s) == 0) != model_abs_ok(s))
		FAIL("path_check_abs(\"%s\") disagrees with the rules", s);
	for (int special = 0; special < 2; special++) {
		int ret = path_canonical(s, domid, special, out, &rel);
		if (ret != 0)
			continue;
		size_t olen = strnlen(out, sizeof(out));
		if (olen == sizeof(out))
			FAIL("path_canonical(\"%s\") left no NUL", s);
		if (path_is_special(out)) {
			if (!special || strcmp(out, s) != 0 || rel != 0)
				FAIL("special path \"%s\" mishandled", s);
			continue;
		}
		if (!model_abs_ok(out))
			FAIL("path_canonical(\"%s\") gave invalid \"%s\"", s, out);
		if (rel > olen || strcmp(out + rel, s) != 0)
			FAIL("path_canonical(\"%s\") prefix %zu of \"%s\"", s, rel, out);
		if (rel == 0 && strcmp(out, s) != 0)
			FAIL("absolute \"%s\" changed to \"%s\"", s, out);
		/* Canonical is a fixed point. */
		if (path_canonical(out, domid, special, again, &rel2) != 0 ||
		    strcmp(out, again) != 0 || rel2 != 0)
			FAIL("path_canonical not idempotent on \"%s\"", out);
		if (path_quota_len(out) > olen)
			FAIL("path_quota_len(\"%s\") longer than the path", out);
		if (!path_is_below(out, "/") || !path_is_below(out, out))
			FAIL("path_is_below(\"%s\") wrong", out);
		unsigned int depth = path_depth(out);
		unsigned int slashes = 0;
		for (size_t i = 0; out[i]; i++)
			slashes += out[i] == '/';
		if (depth != (olen == 1 ? 0 : slashes))
			FAIL("path_depth(\"%s\") = %u", out, depth);
	}
}

static void check_perm(const char *s)
{
	struct xs_perm p, q;
	char buf[PERM_TEXT_MAX];

	if (perm_parse(s, &p) != 0)
		return;
	if (p.domid > PERM_DOMID_MAX || (p.access & ~PERM_BOTH))
		FAIL("perm_parse(\"%s\") gave domid %u access %u", s, p.domid,
		     p.access);
	size_t n = perm_format(&p, buf);
	if (n == 0 || n >= sizeof(buf) || perm_parse(buf, &q) != 0 ||
	    q.domid != p.domid || q.access != p.access)
		FAIL("perm entry \"%s\" does not round-trip (\"%s\")", s, buf);
	/* Text with leading zeros parses, but formats without them. */
	if (s[1] != '0' && strcmp(buf, s) != 0)
		FAIL("perm entry \"%s\" formats as \"%s\"", s, buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t domid = 0;

	check_header(data, size);
	check_split(data, size);
	if (size >= 5)
		memcpy(&domid, data + 1, sizeof(domid));

	/* Every NUL-separated field as a string (the last one copied so it
	 * is terminated). */
	char *copy = malloc(size + 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	for (size_t pos = 0; pos <= size;) {
		const char *s = copy + pos;
		check_uint(s, UINT64_MAX);
		check_uint(s, PERM_DOMID_MAX);
		check_uint(s, domid);
		check_path(s, domid);
		check_perm(s);
		pos += strlen(s) + 1;
	}
	free(copy);
	return 0;
}
