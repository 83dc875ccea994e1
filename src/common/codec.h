/* SPDX-License-Identifier: MIT */
/*
 * Message codec shared by the daemon, the library and the tools: checking a
 * header, splitting a payload into its NUL-terminated fields, and decimal
 * numbers as the protocol writes them.  Never trusts a length it is given.
 */
#ifndef XS_COMMON_CODEC_H
#define XS_COMMON_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xenstore/wire.h"

/* 0 if the header may be followed by its payload, -E2BIG if len is over. */
int xs_hdr_check(const struct xs_msg_hdr *hdr);

/*
 * Split payload[0..len) into NUL-terminated strings.  Stores up to max
 * pointers in argv and the count in *argc.  Returns -EINVAL if the payload
 * does not end in a NUL or holds more than max strings.  An empty payload
 * has zero strings.
 */
int xs_split_args(const char *payload, size_t len, const char **argv,
		  unsigned int max, unsigned int *argc);

/*
 * Parse a decimal unsigned number that fills the whole string, with no sign,
 * no blanks and no leading zeros beyond "0", not above max.  Returns 0 or
 * -EINVAL.
 */
int xs_parse_uint(const char *text, uint64_t max, uint64_t *out);

/* Fill a header. */
void xs_hdr_init(struct xs_msg_hdr *hdr, uint32_t type, uint32_t req_id,
		 uint32_t tx_id, uint32_t len);

#endif
