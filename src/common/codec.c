/* SPDX-License-Identifier: MIT */
/* Message codec; see codec.h. */
#include "codec.h"

#include <errno.h>
#include <string.h>

int xs_hdr_check(const struct xs_msg_hdr *hdr)
{
	return hdr->len > XS_PAYLOAD_MAX ? -E2BIG : 0;
}

int xs_split_args(const char *payload, size_t len, const char **argv,
		  unsigned int max, unsigned int *argc)
{
	unsigned int n = 0;
	size_t pos = 0;

	*argc = 0;
	if (len == 0)
		return 0;
	if (payload[len - 1] != '\0')
		return -EINVAL;
	while (pos < len) {
		const char *end = memchr(payload + pos, '\0', len - pos);

		if (n == max)
			return -EINVAL;
		argv[n++] = payload + pos;
		pos = (size_t)(end - payload) + 1;
	}
	*argc = n;
	return 0;
}

int xs_parse_uint(const char *text, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (text[0] == '\0' || (text[0] == '0' && text[1] != '\0'))
		return -EINVAL;
	for (const char *p = text; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		uint64_t d = (uint64_t)(*p - '0');
		if (d > max)
			return -EINVAL;
		if (v > (max - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

void xs_hdr_init(struct xs_msg_hdr *hdr, uint32_t type, uint32_t req_id,
		 uint32_t tx_id, uint32_t len)
{
	hdr->type = type;
	hdr->req_id = req_id;
	hdr->tx_id = tx_id;
	hdr->len = len;
}
