/* SPDX-License-Identifier: MIT */
/*
 * CRC-32C (Castagnoli), the checksum of every journal and snapshot record
 * (docs/durability.md).  Table-driven, one byte per step; no hardware
 * instruction, so the result is the same on every machine.
 */
#ifndef XS_DAEMON_CRC32C_H
#define XS_DAEMON_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/*
 * Continue a CRC over len more bytes.  Start with crc = 0; the value
 * returned for a whole buffer is the standard CRC-32C of it
 * ("123456789" gives 0xE3069283).
 */
uint32_t crc32c(uint32_t crc, const void *data, size_t len);

#endif
