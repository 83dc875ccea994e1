/* SPDX-License-Identifier: MIT */
/*
 * Domain requests that need no hypervisor, against a daemon started without
 * one: privilege checks, IS_DOMAIN_INTRODUCED, RELEASE/RESUME of domains
 * that are not introduced, INTRODUCE refused, SET_TARGET giving a domain
 * the rights of its target, GET/SET_FEATURE, watch depth needing its
 * feature.  (Guests over rings are tested with the simulated hypervisor.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "expect.h"
#include "proto.h"

static struct daemon_proc dp;
static int fd0;

static int setup(void **state)
{
	if (daemon_start(&dp, NULL) != 0)
		return -1;
	fd0 = xconn(&dp);
	return fd0 < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	close(fd0);
	return daemon_stop(&dp) == 0 ? 0 : -1;
}

static void test_privileged_only(void **state)
{
	struct xmsg m;
	int g = xconn_as(&dp, 4);

	assert_true(g >= 0);
	static const struct {
		uint32_t type;
		const char *payload;
		size_t len;
	} reqs[] = {
		{XS_INTRODUCE, "5\0001\0001\0", 7},
		{XS_RELEASE, "5\0", 2},
		{XS_RESUME, "5\0", 2},
		{XS_SET_TARGET, "5\0006\0", 4},
		{XS_IS_DOMAIN_INTRODUCED, "0\0", 2},
		{XS_GET_FEATURE, "", 0},
		{XS_SET_FEATURE, "4\0000\0", 4},
		{XS_GET_QUOTA, "", 0},
		{XS_SET_QUOTA, "nodes\0009\0", 8},
		{XS_CONTROL, "check\0", 6},
		{XS_RESTRICT, "4\0", 2},
	};
	for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		assert_int_equal(xreq(g, reqs[i].type, 0, reqs[i].payload, reqs[i].len, &m), 0);
		EXPECT_ERR(m, "EACCES");
	}
	/* GET_DOMAIN_PATH is for everybody. */
	assert_int_equal(XREQ(g, XS_GET_DOMAIN_PATH, 0, "4\0", &m), 0);
	EXPECT_BYTES(m, XS_GET_DOMAIN_PATH, "/local/domain/4\0");
	forget_events(g);
	close(g);
}

static void test_not_introduced(void **state)
{
	struct xmsg m;

	assert_int_equal(XREQ(fd0, XS_IS_DOMAIN_INTRODUCED, 0, "0\0", &m), 0);
	EXPECT_BYTES(m, XS_IS_DOMAIN_INTRODUCED, "T\0");
	assert_int_equal(XREQ(fd0, XS_IS_DOMAIN_INTRODUCED, 0, "5\0", &m), 0);
	EXPECT_BYTES(m, XS_IS_DOMAIN_INTRODUCED, "F\0");
	assert_int_equal(XREQ(fd0, XS_IS_DOMAIN_INTRODUCED, 0, "x\0", &m), 0);
	EXPECT_ERR(m, "EINVAL");
	assert_int_equal(XREQ(fd0, XS_RELEASE, 0, "5\0", &m), 0);
	EXPECT_ERR(m, "ENOENT");
	assert_int_equal(XREQ(fd0, XS_RESUME, 0, "5\0", &m), 0);
	EXPECT_ERR(m, "ENOENT");
	/* No hypervisor: nothing can be introduced. */
	assert_int_equal(XREQ(fd0, XS_INTRODUCE, 0, "5\000123\0001\0", &m), 0);
	EXPECT_ERR(m, "EINVAL");
	assert_int_equal(XREQ(fd0, XS_INTRODUCE, 0, "0\000123\0001\0", &m), 0);
	EXPECT_ERR(m, "EINVAL");
	assert_int_equal(XREQ(fd0, XS_INTRODUCE, 0, "5\0", &m), 0);
	EXPECT_ERR(m, "EINVAL");
}

static void test_features(void **state)
{
	struct xmsg m;

	assert_int_equal(XREQ(fd0, XS_GET_FEATURE, 0, "", &m), 0);
	EXPECT_BYTES(m, XS_GET_FEATURE, "7\0");
	assert_int_equal(XREQ(fd0, XS_GET_FEATURE, 0, "8\0", &m), 0);
	EXPECT_BYTES(m, XS_GET_FEATURE, "7\0");
	assert_int_equal(XREQ(fd0, XS_SET_FEATURE, 0, "8\0003\0", &m), 0);
	EXPECT_OK(m, XS_SET_FEATURE);
	assert_int_equal(XREQ(fd0, XS_GET_FEATURE, 0, "8\0", &m), 0);
	EXPECT_BYTES(m, XS_GET_FEATURE, "3\0");
	assert_int_equal(XREQ(fd0, XS_SET_FEATURE, 0, "8\00016\0", &m), 0);
	EXPECT_ERR(m, "EINVAL");
	assert_int_equal(XREQ(fd0, XS_SET_FEATURE, 0, "40000\0001\0", &m), 0);
	EXPECT_ERR(m, "ENOENT");
	/* Domain 8 without the watch-depth feature: depth is refused. */
	int g = xconn_as(&dp, 8);
	assert_int_equal(XREQ(g, XS_WATCH, 0, "/x\0t\0001\0", &m), 0);
	EXPECT_ERR(m, "EINVAL");
	assert_int_equal(XREQ(g, XS_WATCH, 0, "/x\0t\0", &m), 0);
	EXPECT_OK(m, XS_WATCH);
	forget_events(g);
	close(g);
}

static void test_set_target(void **state)
{
	struct xmsg m;
	int stub = xconn_as(&dp, 11);

	assert_true(stub >= 0);
	XREQ(fd0, XS_WRITE, 0, "/vm12/disk\0d", &m);
	XREQ(fd0, XS_SET_PERMS, 0, "/vm12\0n12\0", &m);
	XREQ(fd0, XS_SET_PERMS, 0, "/vm12/disk\0n12\0", &m);
	assert_int_equal(XREQ(stub, XS_READ, 0, "/vm12/disk\0", &m), 0);
	EXPECT_ERR(m, "EACCES");
	assert_int_equal(XREQ(fd0, XS_SET_TARGET, 0, "11\00012\0", &m), 0);
	EXPECT_OK(m, XS_SET_TARGET);
	/* The stub domain now acts for domain 12 on 12's nodes. */
	assert_int_equal(XREQ(stub, XS_READ, 0, "/vm12/disk\0", &m), 0);
	EXPECT_BYTES(m, XS_READ, "d");
	assert_int_equal(XREQ(stub, XS_WRITE, 0, "/vm12/disk\0e", &m), 0);
	EXPECT_OK(m, XS_WRITE);
	assert_int_equal(XREQ(stub, XS_SET_PERMS, 0, "/vm12/disk\0n12\0r11\0", &m), 0);
	EXPECT_OK(m, XS_SET_PERMS);
	/* ... but not on anybody else's. */
	assert_int_equal(XREQ(stub, XS_READ, 0, "/tool/xenstored\0", &m), 0);
	EXPECT_ERR(m, "EACCES");
	assert_int_equal(XREQ(fd0, XS_SET_TARGET, 0, "11\00040000\0", &m), 0);
	EXPECT_ERR(m, "ENOENT");
	forget_events(stub);
	close(stub);
	XREQ(fd0, XS_RM, 0, "/vm12\0", &m);
}

static void test_owner_must_exist(void **state)
{
	struct xmsg m;

	XREQ(fd0, XS_WRITE, 0, "/own\0v", &m);
	assert_int_equal(XREQ(fd0, XS_SET_PERMS, 0, "/own\0n32752\0", &m), 0);
	EXPECT_ERR(m, "ENOENT");
	assert_int_equal(XREQ(fd0, XS_SET_PERMS, 0, "/own\0n32751\0r32760\0", &m), 0);
	EXPECT_OK(m, XS_SET_PERMS);
	XREQ(fd0, XS_RM, 0, "/own\0", &m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_privileged_only),
		cmocka_unit_test(test_not_introduced),
		cmocka_unit_test(test_features),
		cmocka_unit_test(test_set_target),
		cmocka_unit_test(test_owner_must_exist),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
