/* SPDX-License-Identifier: MIT */
/*
 * Request handlers, one per message type, grouped by file:
 * ops_node.c (database), ops_watch.c, ops_txn.c, ops_domain.c,
 * ops_control.c.  Each fills r->reply and returns 0, or returns -errno.
 */
#ifndef XS_DAEMON_OPS_H
#define XS_DAEMON_OPS_H

#include "dispatch.h"

int op_read(struct request *r);
int op_write(struct request *r);
int op_mkdir(struct request *r);
int op_rm(struct request *r);
int op_directory(struct request *r);
int op_directory_part(struct request *r);
int op_get_perms(struct request *r);
int op_set_perms(struct request *r);

int op_watch(struct request *r);
int op_unwatch(struct request *r);
int op_reset_watches(struct request *r);

int op_transaction_start(struct request *r);
int op_transaction_end(struct request *r);

int op_get_domain_path(struct request *r);
int op_is_domain_introduced(struct request *r);
int op_get_quota(struct request *r);
int op_set_quota(struct request *r);
int op_restrict(struct request *r);
int op_introduce(struct request *r);
int op_release(struct request *r);
int op_resume(struct request *r);
int op_set_target(struct request *r);
int op_get_feature(struct request *r);
int op_set_feature(struct request *r);

int op_control(struct request *r);

#endif
