/* SPDX-License-Identifier: MIT */
/*
 * Exact replies for the path and permission rules of SPEC.md, sent as raw
 * messages to a real daemon: every error case asserts its error name.
 * Unprivileged callers are socket connections restricted to a domain.
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
static int fd0; /* dom0 */

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

static void test_initial_tree(void **state)
{
	struct xmsg m;

	assert_int_equal(XREQ(fd0, XS_DIRECTORY, 0, "/tool\0", &m), 0);
	EXPECT_BYTES(m, XS_DIRECTORY, "xenstored\0");
	assert_int_equal(XREQ(fd0, XS_GET_PERMS, 0, "/\0", &m), 0);
	EXPECT_BYTES(m, XS_GET_PERMS, "n0\0");
	assert_int_equal(XREQ(fd0, XS_GET_PERMS, 0, "/tool/xenstored\0", &m), 0);
	EXPECT_BYTES(m, XS_GET_PERMS, "n0\0");
}

static void test_bad_paths(void **state)
{
	static const char *const bad[] = {
		"", "//", "/a//b", "/a/", "/a b", "/a.b", "/a\x7f", "/\xc3\xa9",
		"/local/domain/", "a//b", "a/",
	};
	struct xmsg m;
	char buf[64];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t n = strlen(bad[i]) + 1;
		memcpy(buf, bad[i], n);
		assert_int_equal(xreq(fd0, XS_READ, 0, buf, n, &m), 0);
		EXPECT_ERR(m, "EINVAL");
		memcpy(buf + n, "v", 1);
		assert_int_equal(xreq(fd0, XS_WRITE, 0, buf, n + 1, &m), 0);
		EXPECT_ERR(m, "EINVAL");
		assert_int_equal(xreq(fd0, XS_MKDIR, 0, buf, n, &m), 0);
		EXPECT_ERR(m, "EINVAL");
		assert_int_equal(xreq(fd0, XS_RM, 0, buf, n, &m), 0);
		EXPECT_ERR(m, "EINVAL");
	}
	/* '@' is a legal character inside ordinary paths. */
	assert_int_equal(XREQ(fd0, XS_WRITE, 0, "/x@y\0v", &m), 0);
	EXPECT_OK(m, XS_WRITE);
	/* Special paths are not nodes. */
	assert_int_equal(XREQ(fd0, XS_READ, 0, "@releaseDomain\0", &m), 0);
	EXPECT_ERR(m, "EINVAL");
	assert_int_equal(XREQ(fd0, XS_WRITE, 0, "@foo\0v", &m), 0);
	EXPECT_ERR(m, "EINVAL");
}

static void test_path_lengths(void **state)
{
	static char buf[XS_PAYLOAD_MAX];
	struct xmsg m;

	/* Absolute: 3072 bytes accepted, 3073 refused. */
	buf[0] = '/';
	memset(buf + 1, 'a', 3071);
	buf[3072] = '\0';
	assert_int_equal(xreq(fd0, XS_WRITE, 0, buf, 3073, &m), 0);
	EXPECT_OK(m, XS_WRITE);
	assert_int_equal(xreq(fd0, XS_READ, 0, buf, 3073, &m), 0);
	assert_int_equal(m.hdr.type, XS_READ);
	buf[3072] = 'a';
	buf[3073] = '\0';
	assert_int_equal(xreq(fd0, XS_WRITE, 0, buf, 3074, &m), 0);
	EXPECT_ERR(m, "EINVAL");
	/* Relative (dom0: below /local/domain/0/, 16 bytes): the absolute
	 * result must stay within 3072 bytes. */
	memset(buf, 'r', 3056);
	buf[3056] = '\0';
	assert_int_equal(xreq(fd0, XS_WRITE, 0, buf, 3057, &m), 0);
	EXPECT_OK(m, XS_WRITE);
	buf[3056] = 'r';
	buf[3057] = '\0';
	assert_int_equal(xreq(fd0, XS_WRITE, 0, buf, 3058, &m), 0);
	EXPECT_ERR(m, "EINVAL");
	assert_int_equal(XREQ(fd0, XS_RM, 0, "/local\0", &m), 0);
	EXPECT_OK(m, XS_RM);
}

static void test_relative_paths(void **state)
{
	struct xmsg m;

	assert_int_equal(XREQ(fd0, XS_WRITE, 0, "rel/x\0val", &m), 0);
	EXPECT_OK(m, XS_WRITE);
	assert_int_equal(XREQ(fd0, XS_READ, 0, "/local/domain/0/rel/x\0", &m), 0);
	EXPECT_BYTES(m, XS_READ, "val");
	assert_int_equal(XREQ(fd0, XS_GET_DOMAIN_PATH, 0, "7\0", &m), 0);
	EXPECT_BYTES(m, XS_GET_DOMAIN_PATH, "/local/domain/7\0");
	assert_int_equal(XREQ(fd0, XS_GET_DOMAIN_PATH, 0, "x\0", &m), 0);
	EXPECT_ERR(m, "EINVAL");
	assert_int_equal(XREQ(fd0, XS_RM, 0, "/local\0", &m), 0);
	EXPECT_OK(m, XS_RM);
}

static void test_node_rules(void **state)
{
	struct xmsg m;

	/* Missing nodes */
	assert_int_equal(XREQ(fd0, XS_READ, 0, "/nx\0", &m), 0);
	EXPECT_ERR(m, "ENOENT");
	assert_int_equal(XREQ(fd0, XS_DIRECTORY, 0, "/nx\0", &m), 0);
	EXPECT_ERR(m, "ENOENT");
	assert_int_equal(XREQ(fd0, XS_GET_PERMS, 0, "/nx\0", &m), 0);
	EXPECT_ERR(m, "ENOENT");
	assert_int_equal(XREQ(fd0, XS_SET_PERMS, 0, "/nx\0b0\0", &m), 0);
	EXPECT_ERR(m, "ENOENT");
	/* WRITE creates ancestors with empty values. */
	assert_int_equal(XREQ(fd0, XS_WRITE, 0, "/n/a/b\0v", &m), 0);
	EXPECT_OK(m, XS_WRITE);
	assert_int_equal(XREQ(fd0, XS_READ, 0, "/n/a\0", &m), 0);
	EXPECT_BYTES(m, XS_READ, "");
	/* Binary values, including NULs, come back as written. */
	assert_int_equal(XREQ(fd0, XS_WRITE, 0, "/n/bin\0a\0b\0", &m), 0);
	EXPECT_OK(m, XS_WRITE);
	assert_int_equal(XREQ(fd0, XS_READ, 0, "/n/bin\0", &m), 0);
	EXPECT_BYTES(m, XS_READ, "a\0b\0");
	/* MKDIR leaves an existing value alone. */
	assert_int_equal(XREQ(fd0, XS_MKDIR, 0, "/n/a/b\0", &m), 0);
	EXPECT_OK(m, XS_MKDIR);
	assert_int_equal(XREQ(fd0, XS_READ, 0, "/n/a/b\0", &m), 0);
	EXPECT_BYTES(m, XS_READ, "v");
	/* Children in creation order. */
	assert_int_equal(XREQ(fd0, XS_DIRECTORY, 0, "/n\0", &m), 0);
	EXPECT_BYTES(m, XS_DIRECTORY, "a\0bin\0");
	/* RM of a missing node: fine if the parent exists, else ENOENT. */
	assert_int_equal(XREQ(fd0, XS_RM, 0, "/n/zz\0", &m), 0);
	EXPECT_OK(m, XS_RM);
	assert_int_equal(XREQ(fd0, XS_RM, 0, "/n/zz/yy\0", &m), 0);
	EXPECT_ERR(m, "ENOENT");
	/* RM removes the subtree; the root can never go. */
	assert_int_equal(XREQ(fd0, XS_RM, 0, "/n/a\0", &m), 0);
	EXPECT_OK(m, XS_RM);
	assert_int_equal(XREQ(fd0, XS_READ, 0, "/n/a/b\0", &m), 0);
	EXPECT_ERR(m, "ENOENT");
	assert_int_equal(XREQ(fd0, XS_RM, 0, "/\0", &m), 0);
	EXPECT_ERR(m, "EINVAL");
	assert_int_equal(XREQ(fd0, XS_RM, 0, "/n\0", &m), 0);
	EXPECT_OK(m, XS_RM);
}

static void test_malformed_payloads(void **state)
{
	struct xmsg m;

	/* No NUL terminator, empty payload, extra arguments. */
	assert_int_equal(xreq(fd0, XS_READ, 0, "/tool", 5, &m), 0);
	EXPECT_ERR(m, "EINVAL");
	assert_int_equal(xreq(fd0, XS_READ, 0, "", 0, &m), 0);
	EXPECT_ERR(m, "EINVAL");
	assert_int_equal(xreq(fd0, XS_DIRECTORY, 0, "", 0, &m), 0);
	EXPECT_ERR(m, "EINVAL");
	assert_int_equal(XREQ(fd0, XS_MKDIR, 0, "/a\0extra\0", &m), 0);
	EXPECT_ERR(m, "EINVAL");
	assert_int_equal(xreq(fd0, XS_WRITE, 0, "/nonul", 6, &m), 0);
	EXPECT_ERR(m, "EINVAL");
	assert_int_equal(XREQ(fd0, XS_WATCH, 0, "/a\0", &m), 0);
	EXPECT_ERR(m, "EINVAL");
	assert_int_equal(XREQ(fd0, XS_TRANSACTION_END, 0, "T\0", &m), 0);
	EXPECT_ERR(m, "ENOENT");
	assert_int_equal(XREQ(fd0, XS_DIRECTORY_PART, 0, "/\0x\0", &m), 0);
	EXPECT_ERR(m, "EINVAL");
	assert_int_equal(XREQ(fd0, XS_DIRECTORY_PART, 0, "/\0", &m), 0);
	EXPECT_ERR(m, "EINVAL");
	/* Unknown and server-only types: ENOSYS echoing the request id. */
	static const uint32_t types[] = {XS_WATCH_EVENT, XS_ERROR, XS_TYPE_COUNT,
					 99, 0xfffe, 0xffff};
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		assert_int_equal(xsend(fd0, types[i], 4242, 0, "x\0", 2), 0);
		assert_int_equal(xrecv(fd0, &m, 5000), 1);
		assert_int_equal(m.hdr.req_id, 4242);
		EXPECT_ERR(m, "ENOSYS");
	}
}

static void test_set_perms_rules(void **state)
{
	struct xmsg m;

	assert_int_equal(XREQ(fd0, XS_WRITE, 0, "/p\0v", &m), 0);
	EXPECT_OK(m, XS_WRITE);
	assert_int_equal(XREQ(fd0, XS_SET_PERMS, 0, "/p\0n0\0r5\0b6\0w7\0", &m), 0);
	EXPECT_OK(m, XS_SET_PERMS);
	assert_int_equal(XREQ(fd0, XS_GET_PERMS, 0, "/p\0", &m), 0);
	EXPECT_BYTES(m, XS_GET_PERMS, "n0\0r5\0b6\0w7\0");
	static const char *const bad[] = {"x5", "r", "r-1", "r70000", "r5x", ""};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char buf[32];
		size_t n = (size_t)snprintf(buf, sizeof(buf), "/p%c%s", 0, bad[i]);
		assert_int_equal(xreq(fd0, XS_SET_PERMS, 0, buf, n + 1, &m), 0);
		EXPECT_ERR(m, "EINVAL");
	}
	assert_int_equal(XREQ(fd0, XS_SET_PERMS, 0, "/p\0", &m), 0);
	EXPECT_ERR(m, "EINVAL");
	/* Unchanged after the failures. */
	assert_int_equal(XREQ(fd0, XS_GET_PERMS, 0, "/p\0", &m), 0);
	EXPECT_BYTES(m, XS_GET_PERMS, "n0\0r5\0b6\0w7\0");
	/* New children inherit the parent's list. */
	assert_int_equal(XREQ(fd0, XS_WRITE, 0, "/p/c\0", &m), 0);
	assert_int_equal(XREQ(fd0, XS_GET_PERMS, 0, "/p/c\0", &m), 0);
	EXPECT_BYTES(m, XS_GET_PERMS, "n0\0r5\0b6\0w7\0");
	/* Special nodes keep permissions too. */
	assert_int_equal(XREQ(fd0, XS_GET_PERMS, 0, "@releaseDomain\0", &m), 0);
	EXPECT_BYTES(m, XS_GET_PERMS, "n0\0");
	assert_int_equal(XREQ(fd0, XS_SET_PERMS, 0, "@releaseDomain\0n0\0r5\0", &m), 0);
	EXPECT_OK(m, XS_SET_PERMS);
	assert_int_equal(XREQ(fd0, XS_GET_PERMS, 0, "@releaseDomain\0", &m), 0);
	EXPECT_BYTES(m, XS_GET_PERMS, "n0\0r5\0");
	assert_int_equal(XREQ(fd0, XS_GET_PERMS, 0, "@other\0", &m), 0);
	EXPECT_ERR(m, "EINVAL");
	assert_int_equal(XREQ(fd0, XS_RM, 0, "/p\0", &m), 0);
}

static void test_unprivileged_access(void **state)
{
	struct xmsg m;
	int fd5 = xconn_as(&dp, 5), fd6 = xconn_as(&dp, 6), fd9 = xconn_as(&dp, 9);

	assert_true(fd5 >= 0 && fd6 >= 0 && fd9 >= 0);
	assert_int_equal(XREQ(fd0, XS_WRITE, 0, "/q/secret\0s", &m), 0);
	assert_int_equal(XREQ(fd0, XS_WRITE, 0, "/q/shared\0v", &m), 0);
	assert_int_equal(XREQ(fd0, XS_SET_PERMS, 0, "/q\0n0\0r5\0r6\0", &m), 0);
	assert_int_equal(XREQ(fd0, XS_SET_PERMS, 0, "/q/shared\0n0\0r5\0b6\0", &m), 0);
	assert_int_equal(XREQ(fd0, XS_MKDIR, 0, "/q/dir5\0", &m), 0);
	assert_int_equal(XREQ(fd0, XS_SET_PERMS, 0, "/q/dir5\0n0\0w5\0r6\0", &m), 0);

	/* No access by default. */
	assert_int_equal(XREQ(fd5, XS_READ, 0, "/q/secret\0", &m), 0);
	EXPECT_ERR(m, "EACCES");
	assert_int_equal(XREQ(fd9, XS_DIRECTORY, 0, "/q\0", &m), 0);
	EXPECT_ERR(m, "EACCES");
	/* Read entry: read, not write. */
	assert_int_equal(XREQ(fd5, XS_READ, 0, "/q/shared\0", &m), 0);
	EXPECT_BYTES(m, XS_READ, "v");
	assert_int_equal(XREQ(fd5, XS_WRITE, 0, "/q/shared\0x", &m), 0);
	EXPECT_ERR(m, "EACCES");
	/* Both: write too. */
	assert_int_equal(XREQ(fd6, XS_WRITE, 0, "/q/shared\0x", &m), 0);
	EXPECT_OK(m, XS_WRITE);
	/* Write-only: create below, becoming the owner; cannot read. */
	assert_int_equal(XREQ(fd5, XS_WRITE, 0, "/q/dir5/mine\0m", &m), 0);
	EXPECT_OK(m, XS_WRITE);
	assert_int_equal(XREQ(fd0, XS_GET_PERMS, 0, "/q/dir5/mine\0", &m), 0);
	EXPECT_BYTES(m, XS_GET_PERMS, "n5\0w5\0r6\0");
	assert_int_equal(XREQ(fd5, XS_DIRECTORY, 0, "/q/dir5\0", &m), 0);
	EXPECT_ERR(m, "EACCES");
	assert_int_equal(XREQ(fd5, XS_READ, 0, "/q/dir5/mine\0", &m), 0);
	EXPECT_BYTES(m, XS_READ, "m");
	/* Owner may change the list but not give the node away. */
	assert_int_equal(XREQ(fd5, XS_SET_PERMS, 0, "/q/dir5/mine\0n5\0r9\0", &m), 0);
	EXPECT_OK(m, XS_SET_PERMS);
	assert_int_equal(XREQ(fd5, XS_SET_PERMS, 0, "/q/dir5/mine\0n6\0", &m), 0);
	EXPECT_ERR(m, "EPERM");
	assert_int_equal(XREQ(fd5, XS_SET_PERMS, 0, "/q/dir5/mine\0n0\0", &m), 0);
	EXPECT_ERR(m, "EPERM");
	/* Non-owners may not change permissions at all. */
	assert_int_equal(XREQ(fd6, XS_SET_PERMS, 0, "/q/shared\0b6\0", &m), 0);
	EXPECT_ERR(m, "EACCES");
	/* Too many entries from a guest (quota 5). */
	assert_int_equal(XREQ(fd5, XS_SET_PERMS, 0,
			      "/q/dir5/mine\0n5\0r1\0r2\0r3\0r4\0r6\0", &m), 0);
	EXPECT_ERR(m, "ENOSPC");
	/* Root attacks. */
	assert_int_equal(XREQ(fd5, XS_RM, 0, "/\0", &m), 0);
	EXPECT_ERR(m, "EINVAL");
	assert_int_equal(XREQ(fd5, XS_WRITE, 0, "/x\0v", &m), 0);
	EXPECT_ERR(m, "EACCES");
	assert_int_equal(XREQ(fd5, XS_SET_PERMS, 0, "/\0b5\0", &m), 0);
	EXPECT_ERR(m, "EACCES");
	assert_int_equal(XREQ(fd5, XS_RM, 0, "/tool\0", &m), 0);
	EXPECT_ERR(m, "EACCES");
	/* A missing node under an unreadable parent: EACCES, not ENOENT. */
	assert_int_equal(XREQ(fd9, XS_READ, 0, "/q/nothing\0", &m), 0);
	EXPECT_ERR(m, "EACCES");
	assert_int_equal(XREQ(fd5, XS_READ, 0, "/q/nothing\0", &m), 0);
	EXPECT_ERR(m, "ENOENT");
	/* Privileged requests are refused to guests. */
	assert_int_equal(XREQ(fd5, XS_CONTROL, 0, "check\0", &m), 0);
	EXPECT_ERR(m, "EACCES");
	assert_int_equal(XREQ(fd5, XS_IS_DOMAIN_INTRODUCED, 0, "0\0", &m), 0);
	EXPECT_ERR(m, "EACCES");
	assert_int_equal(XREQ(fd5, XS_SET_PERMS, 0, "@releaseDomain\0n5\0", &m), 0);
	EXPECT_ERR(m, "EACCES");
	assert_int_equal(XREQ(fd5, XS_RESTRICT, 0, "0\0", &m), 0);
	EXPECT_ERR(m, "EACCES");
	/* Relative paths of a guest resolve to its home. */
	assert_int_equal(XREQ(fd0, XS_MKDIR, 0, "/local/domain/5\0", &m), 0);
	assert_int_equal(XREQ(fd0, XS_SET_PERMS, 0, "/local/domain/5\0n5\0", &m), 0);
	assert_int_equal(XREQ(fd5, XS_WRITE, 0, "data\0d", &m), 0);
	EXPECT_OK(m, XS_WRITE);
	assert_int_equal(XREQ(fd0, XS_READ, 0, "/local/domain/5/data\0", &m), 0);
	EXPECT_BYTES(m, XS_READ, "d");
	assert_int_equal(XREQ(fd6, XS_READ, 0, "/local/domain/5/data\0", &m), 0);
	EXPECT_ERR(m, "EACCES");

	assert_int_equal(XREQ(fd0, XS_RM, 0, "/q\0", &m), 0);
	assert_int_equal(XREQ(fd0, XS_RM, 0, "/local\0", &m), 0);
	close(fd5);
	close(fd6);
	close(fd9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_initial_tree),
		cmocka_unit_test(test_bad_paths),
		cmocka_unit_test(test_path_lengths),
		cmocka_unit_test(test_relative_paths),
		cmocka_unit_test(test_node_rules),
		cmocka_unit_test(test_malformed_payloads),
		cmocka_unit_test(test_set_perms_rules),
		cmocka_unit_test(test_unprivileged_access),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
