/* SPDX-License-Identifier: MIT */
/*
 * CRC-32C; see crc32c.h.  The reflected polynomial 0x82F63B78 is that of
 * iSCSI (RFC 3720).  The 256-entry table is built once, on first use: the
 * daemon is single-threaded, and a forked snapshot writer inherits it.
 */
#include "crc32c.h"

#include <stdbool.h>

#define CRC32C_POLY 0x82F63B78u

static uint32_t table[256];
static bool table_ready;

static void table_build(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? (c >> 1) ^ CRC32C_POLY : c >> 1;
		table[i] = c;
	}
	table_ready = true;
}

uint32_t crc32c(uint32_t crc, const void *data, size_t len)
{
	const unsigned char *p = data;

	if (!table_ready)
		table_build();
	crc = ~crc;
	for (size_t i = 0; i < len; i++)
		crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
	return ~crc;
}
