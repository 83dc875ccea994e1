/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of src/daemon/acl.c: the access bits acl_access() grants a
 * caller on a node's permission list.  A privileged caller gets everything;
 * so does the owner (first entry), with ACL_OWNER; otherwise the first
 * later entry naming the caller decides, else the first entry's default.
 * Entries marked PERM_IGNORE (dead domains, XSA-322) never match, not even
 * as owner, and the flag never leaks into the result.  A caller acting for
 * a target domain (SET_TARGET) is treated as that domain too.  Permission
 * lists live in exact-size heap blocks, so a read past nperms shows under
 * ASan.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "common/perms.h"
#include "daemon/acl.h"
#include "unit.h"

#define ALL (PERM_READ | PERM_WRITE | ACL_OWNER)

/* An exact-size heap copy of perms, for ASan. */
static const struct xs_perm *heap_perms(const struct xs_perm *p, uint32_t n)
{
	struct xs_perm *h = unit_alloc(n * sizeof(*h));

	memcpy(h, p, n * sizeof(*h));
	return h;
}

static unsigned int access_of(uint32_t domid, uint32_t target, bool priv,
			      const struct xs_perm *p, uint32_t n)
{
	const struct caller c = {.domid = domid, .target = target, .privileged = priv};

	return acl_access(&c, heap_perms(p, n), n, NULL);
}

static unsigned int as_dom(uint32_t domid, const struct xs_perm *p, uint32_t n)
{
	return access_of(domid, ACL_NO_TARGET, false, p, n);
}

#define NP(a) ((uint32_t)(sizeof(a) / sizeof((a)[0])))

static void test_constants(void **state)
{
	/* ACL_OWNER is a bit of its own, outside the wire bits. */
	assert_int_equal(ACL_OWNER & (PERM_BOTH | PERM_IGNORE), 0);
	assert_int_equal(ALL, 7);
}

static void test_privileged(void **state)
{
	static const struct xs_perm p[] = {
		{.domid = 5, .access = PERM_NONE},
		{.domid = 0, .access = PERM_NONE},
	};
	static const struct xs_perm ign[] = {
		{.domid = 5, .access = PERM_NONE | PERM_IGNORE},
	};

	assert_int_equal(access_of(0, ACL_NO_TARGET, true, p, NP(p)), ALL);
	assert_int_equal(access_of(9, ACL_NO_TARGET, true, p, NP(p)), ALL);
	assert_int_equal(access_of(9, 3, true, ign, NP(ign)), ALL);
	/* Without the flag, dom0 is just another domain here. */
	assert_int_equal(as_dom(0, p, NP(p)), PERM_NONE);
}

static void test_owner(void **state)
{
	static const struct xs_perm p[] = {{.domid = 5, .access = PERM_NONE}};
	/* Later entries cannot take anything away from the owner. */
	static const struct xs_perm q[] = {
		{.domid = 5, .access = PERM_NONE},
		{.domid = 5, .access = PERM_NONE},
	};
	static const struct xs_perm r[] = {{.domid = 5, .access = PERM_READ}};

	assert_int_equal(as_dom(5, p, NP(p)), ALL);
	assert_int_equal(as_dom(5, q, NP(q)), ALL);
	assert_int_equal(as_dom(5, r, NP(r)), ALL);
	assert_int_equal(as_dom(6, p, NP(p)), PERM_NONE);
	assert_int_equal(as_dom(6, r, NP(r)), PERM_READ);
}

static void test_listed_entry_decides(void **state)
{
	static const struct xs_perm p[] = {
		{.domid = 0, .access = PERM_NONE},
		{.domid = 5, .access = PERM_READ},
		{.domid = 6, .access = PERM_WRITE},
		{.domid = 7, .access = PERM_BOTH},
		{.domid = 8, .access = PERM_NONE},
	};
	/* Listed "n" overrides a generous default. */
	static const struct xs_perm q[] = {
		{.domid = 0, .access = PERM_BOTH},
		{.domid = 8, .access = PERM_NONE},
	};

	assert_int_equal(as_dom(5, p, NP(p)), PERM_READ);
	assert_int_equal(as_dom(6, p, NP(p)), PERM_WRITE);
	assert_int_equal(as_dom(7, p, NP(p)), PERM_BOTH);
	assert_int_equal(as_dom(8, p, NP(p)), PERM_NONE);
	assert_int_equal(as_dom(9, p, NP(p)), PERM_NONE);
	assert_int_equal(as_dom(8, q, NP(q)), PERM_NONE);
	assert_int_equal(as_dom(9, q, NP(q)), PERM_BOTH);
	/* Only the first nperms entries count. */
	assert_int_equal(as_dom(7, p, 3), PERM_NONE);
}

static void test_first_match_wins(void **state)
{
	static const struct xs_perm p[] = {
		{.domid = 0, .access = PERM_NONE},
		{.domid = 5, .access = PERM_READ},
		{.domid = 5, .access = PERM_WRITE},
	};

	assert_int_equal(as_dom(5, p, NP(p)), PERM_READ);
}

static void test_default_from_first_entry(void **state)
{
	static const struct xs_perm n[] = {{.domid = 0, .access = PERM_NONE}};
	static const struct xs_perm r[] = {{.domid = 0, .access = PERM_READ}};
	static const struct xs_perm w[] = {{.domid = 0, .access = PERM_WRITE}};
	static const struct xs_perm b[] = {
		{.domid = 0, .access = PERM_BOTH},
		{.domid = 4, .access = PERM_READ},
	};

	assert_int_equal(as_dom(3, n, NP(n)), PERM_NONE);
	assert_int_equal(as_dom(3, r, NP(r)), PERM_READ);
	assert_int_equal(as_dom(3, w, NP(w)), PERM_WRITE);
	assert_int_equal(as_dom(3, b, NP(b)), PERM_BOTH); /* never ACL_OWNER */
	assert_int_equal(as_dom(4, b, NP(b)), PERM_READ);
}

static void test_ignore(void **state)
{
	static const struct xs_perm skip[] = {
		{.domid = 0, .access = PERM_NONE},
		{.domid = 5, .access = PERM_READ | PERM_IGNORE},
		{.domid = 5, .access = PERM_WRITE},
	};
	static const struct xs_perm only[] = {
		{.domid = 0, .access = PERM_NONE},
		{.domid = 5, .access = PERM_BOTH | PERM_IGNORE},
	};
	/* A dead owner: a domain reusing its id is not the owner. */
	static const struct xs_perm dead_owner[] = {
		{.domid = 5, .access = PERM_NONE | PERM_IGNORE},
	};
	static const struct xs_perm dead_owner_r[] = {
		{.domid = 5, .access = PERM_READ | PERM_IGNORE},
		{.domid = 6, .access = PERM_WRITE},
	};

	assert_int_equal(as_dom(5, skip, NP(skip)), PERM_WRITE);
	assert_int_equal(as_dom(5, only, NP(only)), PERM_NONE);
	assert_int_equal(as_dom(5, dead_owner, NP(dead_owner)), PERM_NONE);
	/* The default still applies, and the flag does not leak out. */
	assert_int_equal(as_dom(5, dead_owner_r, NP(dead_owner_r)), PERM_READ);
	assert_int_equal(as_dom(9, dead_owner_r, NP(dead_owner_r)), PERM_READ);
	assert_int_equal(as_dom(6, dead_owner_r, NP(dead_owner_r)), PERM_WRITE);
}

static void test_target(void **state)
{
	static const struct xs_perm owned_by_5[] = {{.domid = 5, .access = PERM_NONE}};
	static const struct xs_perm lists_5[] = {
		{.domid = 0, .access = PERM_NONE},
		{.domid = 5, .access = PERM_READ},
	};
	static const struct xs_perm self_first[] = {
		{.domid = 0, .access = PERM_NONE},
		{.domid = 7, .access = PERM_WRITE},
		{.domid = 5, .access = PERM_READ},
	};
	static const struct xs_perm target_first[] = {
		{.domid = 0, .access = PERM_NONE},
		{.domid = 5, .access = PERM_READ},
		{.domid = 7, .access = PERM_WRITE},
	};
	static const struct xs_perm other[] = {
		{.domid = 0, .access = PERM_NONE},
		{.domid = 6, .access = PERM_BOTH},
	};
	static const struct xs_perm dead_target[] = {
		{.domid = 5, .access = PERM_NONE | PERM_IGNORE},
	};

	/* Domain 7 acting for domain 5. */
	assert_int_equal(access_of(7, 5, false, owned_by_5, 1), ALL);
	assert_int_equal(access_of(7, 5, false, lists_5, 2), PERM_READ);
	assert_int_equal(access_of(7, 5, false, self_first, 3), PERM_WRITE);
	assert_int_equal(access_of(7, 5, false, target_first, 3), PERM_READ);
	assert_int_equal(access_of(7, 5, false, other, 2), PERM_NONE);
	assert_int_equal(access_of(7, 5, false, dead_target, 1), PERM_NONE);
	/* Its own nodes stay its own. */
	static const struct xs_perm owned_by_7[] = {{.domid = 7, .access = PERM_NONE}};
	assert_int_equal(access_of(7, 5, false, owned_by_7, 1), ALL);
	/* Without the target, domain 7 has no claim on 5's nodes. */
	assert_int_equal(as_dom(7, owned_by_5, 1), PERM_NONE);
	assert_int_equal(as_dom(7, lists_5, 2), PERM_NONE);
	/* And the target itself is not helped by 7's relation. */
	assert_int_equal(as_dom(5, self_first, 3), PERM_READ);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		unit_case(test_constants),
		unit_case(test_privileged),
		unit_case(test_owner),
		unit_case(test_listed_entry_decides),
		unit_case(test_first_match_wins),
		unit_case(test_default_from_first_entry),
		unit_case(test_ignore),
		unit_case(test_target),
	};

	return cmocka_run_group_tests_name("daemon_acl", tests, NULL, NULL);
}
