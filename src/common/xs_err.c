/* SPDX-License-Identifier: MIT */
/* Error names on the wire: one table generated from XS_ERRORS. */
#include "xs_err.h"

#include <errno.h>
#include <string.h>

#include "xenstore/wire.h"

struct err_entry {
	int err;
	const char *name;
};

#define ERR_ENTRY(e) {e, #e},
static const struct err_entry err_table[] = {XS_ERRORS(ERR_ENTRY)};
#undef ERR_ENTRY

const char *xs_err_name(int err)
{
	for (size_t i = 0; i < sizeof(err_table) / sizeof(err_table[0]); i++)
		if (err_table[i].err == err)
			return err_table[i].name;
	return "EIO";
}

int xs_err_from_name(const char *name)
{
	for (size_t i = 0; i < sizeof(err_table) / sizeof(err_table[0]); i++)
		if (strcmp(err_table[i].name, name) == 0)
			return err_table[i].err;
	return EINVAL;
}
