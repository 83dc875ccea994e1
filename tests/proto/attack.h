/* SPDX-License-Identifier: MIT */
/*
 * Helpers of the hostile-input catalogue (tests/proto/test_proto_attacks*.c,
 * docs/hostile.md): every attack there is judged the same three ways,
 *
 * - the daemon lives (daemon_alive());
 * - a bystander, an unprivileged domain with a watch on its own data, gets
 *   exact answers while and after the attack: its write is acknowledged,
 *   its read returns what it wrote, and its watch delivers exactly the one
 *   event of that write (bystander_check());
 * - memory returns to where it was before the attack once the attacker is
 *   gone (memsnap_take() before, memsnap_expect_back() after), judged by
 *   CONTROL memreport: the nodes, watches, transactions and connections
 *   lines exactly, and the heap in use within a fixed slack.
 *
 * The cmocka assertions are made here, so a failure names the helper's
 * line; the test's own lines say which attack it was.
 */
#ifndef XS_TESTS_ATTACK_H
#define XS_TESTS_ATTACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"

/*
 * Heap that may stay allocated after an attack without being a leak: the
 * watch index and the transaction history index grow their hash tables
 * with peak load and keep them (at most 8 bytes per watch or per touched
 * path at the peak: 16 KiB each for the loads here), and glibc keeps a
 * few small bookkeeping blocks.  The store's hash table also only grows,
 * but memreport reports it ("hash buckets"), so its growth is allowed for
 * exactly, on top of this.
 */
#define ATTACK_HEAP_SLACK (64u * 1024u)

/* What CONTROL memreport said. */
struct memsnap {
	long nodes;
	long connections;
	long watches;
	long transactions;
	long buckets;		/* store hash buckets */
	long long queued;	/* output bytes queued on all connections */
	long long heap;		/* heap in use; 0 under a sanitizer */
};

/* memreport, asked on fd (a dom0 connection). */
void memsnap_take(int fd, struct memsnap *s);

/*
 * Wait (up to 5 s: connections closed by their peers are reaped at the end
 * of the daemon's loop round that notices) until the nodes, watches,
 * transactions and connections lines equal base's, then assert that they
 * do and that the heap is back within ATTACK_HEAP_SLACK plus the store's
 * bucket growth.  The heap is only judged when base's is not 0: under
 * AddressSanitizer mallinfo2() knows nothing of the allocations and
 * reports 0.
 */
void memsnap_expect_back(int fd, const struct memsnap *base);

/* Payload of NUL-separated strings, the last one left out when !last_nul
 * (WRITE's value); the reply in *m. */
void attack_req(int fd, uint32_t type, uint32_t tx, bool last_nul,
		struct xmsg *m, const char *const *args, size_t nargs);
#define ATTACK_REQ(fd, type, tx, m, ...)                                  \
	attack_req((fd), (type), (tx), (type) != XS_WRITE, (m),           \
		   (const char *const[]){__VA_ARGS__},                     \
		   sizeof((const char *const[]){__VA_ARGS__}) / sizeof(char *))

/* dom0 (on fd0) makes /local/domain/<domid>, owned by domid. */
void attack_make_home(int fd0, unsigned int domid);

/* What `quota <domid>` says domid uses of item ("nodes", "watches", ...). */
long long attack_quota_used(int fd0, unsigned int domid, const char *item);

/*
 * Connect as domid once and disconnect: the daemon then knows the domain
 * (its struct lives as long as the daemon when there is no hypervisor),
 * so a baseline taken afterwards already holds it.
 */
void attack_prime_domain(const struct daemon_proc *dp, unsigned int domid);

/* The bystander: domain domid, with a watch on /local/domain/<domid>/data. */
struct bystander {
	int fd;
	unsigned int domid;
	unsigned int round;	/* writes so far, each with its own value */
};

void bystander_open(struct bystander *b, const struct daemon_proc *dp,
		    int fd0, unsigned int domid);
/* One exact round: write, read back, exactly one event; asserts. */
void bystander_check(struct bystander *b);
void bystander_close(struct bystander *b);

#endif
