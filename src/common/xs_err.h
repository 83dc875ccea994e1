/* SPDX-License-Identifier: MIT */
/*
 * Mapping between errno values and the error names carried in ERROR
 * replies.  Only the names listed in XS_ERRORS exist on the wire.
 */
#ifndef XS_COMMON_ERR_H
#define XS_COMMON_ERR_H

/* Name for a positive errno value; errors not on the wire map to "EIO". */
const char *xs_err_name(int err);

/* Positive errno for a wire name; EINVAL for names we do not know. */
int xs_err_from_name(const char *name);

#endif
