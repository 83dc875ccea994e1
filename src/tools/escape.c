/* SPDX-License-Identifier: MIT */
/*
 * Escaping of node values for display and unescaping of values given on
 * the command line, byte for byte as Xen's tools do it, plus the text form
 * of a permission entry.  Pure functions over caller-provided buffers.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools.h"

/* Longest escape of one byte: "\x7f". */
#define ESC_MAX 4u

const char *escape_value(struct esc_buf *esc, const char *val, size_t len)
{
	size_t need, used = 0;

	if (len > (SIZE_MAX - 1) / ESC_MAX)
		return NULL;
	need = len * ESC_MAX + 1;
	if (esc->cap < need) {
		char *grown = realloc(esc->buf, need);

		if (!grown)
			return NULL;
		esc->buf = grown;
		esc->cap = need;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)val[i];
		char *p = esc->buf + used;

		if (c >= ' ' && c <= '~' && c != '\\') {
			*p = (char)c;
			used++;
			continue;
		}
		p[0] = '\\';
		switch (c) {
		case '\t': p[1] = 't'; used += 2; break;
		case '\n': p[1] = 'n'; used += 2; break;
		case '\r': p[1] = 'r'; used += 2; break;
		case '\\': p[1] = '\\'; used += 2; break;
		default:
			/* Small control bytes in octal, the rest in hex. */
			if (c < 010)
				snprintf(p + 1, 4, "%03o", c);
			else
				snprintf(p + 1, 4, "x%02x", c);
			used += 4;
		}
	}
	esc->buf[used] = '\0';
	return esc->buf;
}

void esc_release(struct esc_buf *esc)
{
	free(esc->buf);
	esc->buf = NULL;
	esc->cap = 0;
}

/*
 * Numbers after a backslash are read with sscanf, as Xen's tools do: the
 * conversions' quirks (leading blanks and a sign are accepted, at most two
 * hex or three octal characters) are part of what users type, so they are
 * kept.  On no match *c is left alone and nothing is consumed.
 */
static const char *scan_hex(const char *ip, unsigned int *c)
{
	int n = 0;

	if (sscanf(ip, "%2x%n", c, &n) < 1)
		n = 0;
	return ip + n;
}

static const char *scan_oct(const char *ip, unsigned int *c)
{
	int n = 0;

	if (sscanf(ip, "%3o%n", c, &n) < 1)
		n = 0;
	return ip + n;
}

void unescape_value(char *out, size_t *out_len, const char *in)
{
	const char *ip = in;
	char *op = out;
	unsigned int c;

	while ((c = (unsigned char)*ip++) != 0) {
		if (c == '\\') {
			c = (unsigned char)*ip++;
			switch (c) {
			case 't': c = '\t'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case '\\': c = '\\'; break;
			case 'x': ip = scan_hex(ip, &c); break;
			case '0': case '1': case '2': case '3':
			case '4': case '5': case '6': case '7':
				ip = scan_oct(ip - 1, &c);
				break;
			case 0:
				/*
				 * A trailing backslash becomes a NUL byte that
				 * counts in the length; the loop then ends.
				 */
				ip--;
				break;
			default:
				break; /* any other escaped char is itself */
			}
		}
		*op++ = (char)(c & 0xff);
	}
	*op = '\0';
	*out_len = (size_t)(op - out);
}

bool perm_to_text(const struct xs_permissions *perm, char *buf, size_t size)
{
	char letter;

	switch (perm->perms) {
	case XS_PERM_NONE: letter = 'n'; break;
	case XS_PERM_READ: letter = 'r'; break;
	case XS_PERM_WRITE: letter = 'w'; break;
	case XS_PERM_READ | XS_PERM_WRITE: letter = 'b'; break;
	default: return false;
	}
	/* Xen prints the id signed; ids never reach 2^31 in practice. */
	snprintf(buf, size, "%c%i", letter, (int)perm->id);
	return true;
}
