/* SPDX-License-Identifier: MIT */
/*
 * Transactions from the client's side: asking the daemon for an id and
 * ending it with commit or abort.  The daemon keeps all the state.
 */
#include <errno.h>
#include <stdlib.h>

#include "xs_handle.h"

xs_transaction_t xs_transaction_start(struct xs_handle *h)
{
	xs_transaction_t id;
	char *end;
	char *reply = xs__talk_str(h, XS_TRANSACTION_START, XBT_NULL, "", NULL);

	if (!reply)
		return XBT_NULL;
	/* Same parse as Xen's library: any base strtoul understands. */
	errno = 0;
	id = (xs_transaction_t)strtoul(reply, &end, 0);
	if (end == reply || errno != 0) {
		free(reply);
		errno = EIO;
		return XBT_NULL;
	}
	free(reply);
	return id;
}

bool xs_transaction_end(struct xs_handle *h, xs_transaction_t t, bool abort)
{
	return xs__bool(xs__talk_str(h, XS_TRANSACTION_END, t,
				     abort ? "F" : "T", NULL));
}
