/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the durability record format and recovery
 * (src/daemon/crc32c.c, record.c, journal.c, snapshot.c, recover.c):
 * CRC-32C against its check value; records round-trip with their types
 * and payloads; every single-bit flip anywhere in a record is detected;
 * a journal of several records truncated at EVERY offset recovers exactly
 * the records that are complete (a torn tail, logged and cut off); a bit
 * flip in a record followed by valid ones stops a strict recovery
 * (RECOVER_DAMAGED) and a partial one keeps exactly the records before
 * it; a missing snapshot is refused; the recovered tree passes
 * daemon_check() and keeps values, permissions and child order.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/crc32c.h"
#include "daemon/daemon.h"
#include "daemon/journal.h"
#include "daemon/log.h"
#include "daemon/record.h"
#include "daemon/recover.h"
#include "unit.h"

#define NRECS 6

static const struct xs_perm perm_dom0[] = {{.domid = 0, .access = PERM_NONE}};
static const struct xs_perm perm_r3[] = {{.domid = 0, .access = PERM_NONE},
					 {.domid = 3, .access = PERM_READ}};

static void test_crc_check_value(void **state)
{
	(void)state;
	assert_int_equal(crc32c(0, "123456789", 9), 0xE3069283u);
	/* Continuing over pieces gives the same as all at once. */
	assert_int_equal(crc32c(crc32c(0, "1234", 4), "56789", 5), 0xE3069283u);
	assert_int_equal(crc32c(0, "", 0), 0);
}

static size_t put_record(struct rbuf *b, uint32_t type, const char *payload)
{
	size_t off = rec_start(b, type);

	rbuf_put(b, payload, strlen(payload));
	rec_finish(b, off);
	return off;
}

static void test_record_round_trip(void **state)
{
	static const char *const payloads[] = {"", "a", "hello world",
					       "\x01\x02\x03 binary"};
	struct rbuf b = {0};
	struct rec r;
	size_t off = 0;

	(void)state;
	for (int i = 0; i < 4; i++)
		put_record(&b, (uint32_t)(i + 1), payloads[i]);
	assert_int_equal(b.err, 0);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(rec_parse(b.data + off, b.len - off, &r), REC_OK);
		assert_int_equal(r.type, i + 1);
		assert_int_equal(r.len, strlen(payloads[i]));
		assert_memory_equal(r.payload, payloads[i], r.len);
		assert_int_equal(r.size, REC_OVERHEAD + r.len);
		off += r.size;
	}
	assert_int_equal(off, b.len);
	/* Fields round-trip too. */
	struct rbuf f = {0};
	rbuf_u8(&f, 0xab);
	rbuf_u32(&f, 0xdeadbeef);
	rbuf_u64(&f, 0x0102030405060708ull);
	rbuf_str(&f, "/a/b", 4);
	rbuf_perms(&f, perm_r3, 2);
	struct rreader rr = {.p = f.data, .left = f.len, .ok = true};
	size_t len;
	struct xs_perm perms[4];
	assert_int_equal(rr_u8(&rr), 0xab);
	assert_int_equal(rr_u32(&rr), 0xdeadbeef);
	assert_true(rr_u64(&rr) == 0x0102030405060708ull);
	assert_memory_equal(rr_str(&rr, &len), "/a/b", 4);
	assert_int_equal(len, 4);
	assert_int_equal(rr_perms(&rr, perms, 4), 2);
	assert_int_equal(perms[1].domid, 3);
	assert_int_equal(perms[1].access, PERM_READ);
	assert_true(rr.ok);
	assert_int_equal(rr.left, 0);
	rr_u8(&rr);
	assert_false(rr.ok); /* reading past the end is noticed */
	rbuf_release(&f);
	rbuf_release(&b);
}

static void test_every_bit_flip_detected(void **state)
{
	struct rbuf b = {0};
	struct rec r;

	(void)state;
	put_record(&b, REC_CHANGES, "some payload: /local/domain/1/data = x");
	for (size_t bit = 0; bit < b.len * 8; bit++) {
		b.data[bit / 8] ^= (unsigned char)(1u << (bit % 8));
		enum rec_status st = rec_parse(b.data, b.len, &r);
		if (st == REC_OK)
			fail_msg("flip of bit %zu not detected", bit);
		b.data[bit / 8] ^= (unsigned char)(1u << (bit % 8));
	}
	assert_int_equal(rec_parse(b.data, b.len, &r), REC_OK);
	/* A truncated record is told apart from a damaged one. */
	for (size_t len = 0; len < b.len; len++)
		assert_int_equal(rec_parse(b.data, len, &r), REC_TRUNCATED);
	rbuf_release(&b);
}

/* ---- recovery from files ------------------------------------------------ */

struct fixture {
	char dir[64];		/* the journal written once */
	char work[64];		/* a damaged copy, per case */
	size_t jlen;
	unsigned char *journal;	/* journal.1 as written */
	size_t rec_end[NRECS + 1]; /* offset after the header and each record */
};

static int write_file(const char *dir, const char *name, const void *data,
		      size_t len)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, data, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

static unsigned char *read_file(const char *dir, const char *name, size_t *len)
{
	char path[128];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	int fd = open(path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st) != 0)
		return NULL;
	unsigned char *p = malloc((size_t)st.st_size + 1);
	*len = (size_t)read(fd, p, (size_t)st.st_size);
	close(fd);
	return p;
}

/* Remove a state directory (flat: files only). */
static void rm_dir(const char *dir)
{
	DIR *dp = opendir(dir);
	struct dirent *e;

	if (!dp)
		return;
	while ((e = readdir(dp)) != NULL) {
		char path[384];
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(dp);
	rmdir(dir);
}

/* A daemon journalling into f->dir: snapshot.1, then NRECS rounds, each
 * one record: /k<i> created with value v<i> (and perms changed in one). */
static int setup(void **state)
{
	static struct daemon d;
	struct fixture *f = calloc(1, sizeof(*f));
	struct state_config cfg;
	struct journal j;
	struct recovery *r;
	bool fresh;

	log_setup(LOG_TO_STDERR, NULL, LOG_LVL_ERR);
	snprintf(f->dir, sizeof(f->dir), "/dev/shm/xs-jtest.%d", (int)getpid());
	snprintf(f->work, sizeof(f->work), "/dev/shm/xs-jtest.%d.w", (int)getpid());
	rm_dir(f->dir);
	state_config_defaults(&cfg);
	cfg.dir = f->dir;
	cfg.policy = FSYNC_NEVER;
	if (daemon_init(&d) || recover_load(&d, &cfg, &j, &r, &fresh) || !fresh ||
	    recover_restore(&d, r) || journal_start(&d, &j, fresh))
		return -1;
	recover_finish(&d, r);
	for (int i = 0; i < NRECS; i++) {
		char path[16], val[16];
		struct node *n;
		snprintf(path, sizeof(path), "/k%d", i);
		snprintf(val, sizeof(val), "v%d", i);
		if (store_create(&d.store, path, perm_dom0, 1, &n) ||
		    store_set_value(&d.store, n, val, strlen(val)))
			return -1;
		if (i == 2 && store_set_perms(&d.store, n, perm_r3, 2))
			return -1;
		journal_commit(&d);
	}
	journal_close(&d);
	daemon_release(&d);
	f->journal = read_file(f->dir, "journal.1", &f->jlen);
	if (!f->journal)
		return -1;
	/* Where each record ends. */
	size_t off = 0;
	for (int i = 0; i <= NRECS; i++) {
		struct rec rec;
		if (rec_parse(f->journal + off, f->jlen - off, &rec) != REC_OK)
			return -1;
		off += rec.size;
		f->rec_end[i] = off;
	}
	if (off != f->jlen)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	rm_dir(f->dir);
	rm_dir(f->work);
	free(f->journal);
	free(f);
	return 0;
}

/* Copy the snapshot and the given journal bytes into f->work. */
static void make_work(struct fixture *f, const unsigned char *journal, size_t len,
		      bool with_snapshot)
{
	size_t slen;
	unsigned char *snap = read_file(f->dir, "snapshot.1", &slen);

	rm_dir(f->work);
	assert_int_equal(mkdir(f->work, 0700), 0);
	assert_non_null(snap);
	if (with_snapshot)
		assert_int_equal(write_file(f->work, "snapshot.1", snap, slen), 0);
	assert_int_equal(write_file(f->work, "journal.1", journal, len), 0);
	free(snap);
}

/* Recover f->work; the number of /k<i> nodes found (in order, with their
 * values), or -1 when recovery refused. */
static int recover_count(struct fixture *f, bool partial, int *ret_out)
{
	static struct daemon d;
	struct state_config cfg;
	struct journal j;
	struct recovery *r;
	bool fresh;
	char msg[256];
	int found = 0;

	state_config_defaults(&cfg);
	cfg.dir = f->work;
	cfg.policy = FSYNC_NEVER;
	cfg.partial = partial;
	assert_int_equal(daemon_init(&d), 0);
	int ret = recover_load(&d, &cfg, &j, &r, &fresh);
	*ret_out = ret;
	if (ret) {
		free(j.dir);
		if (j.dirfd >= 0)
			close(j.dirfd);
		daemon_release(&d);
		return -1;
	}
	assert_int_equal(recover_restore(&d, r), 0);
	assert_int_equal(journal_start(&d, &j, fresh), 0);
	recover_finish(&d, r);
	assert_int_equal(daemon_check(&d, msg, sizeof(msg)), 0);
	/* The initial tree came through the snapshot. */
	assert_non_null(store_lookup(&d.store, "/tool/xenstored"));
	for (int i = 0; i < NRECS; i++) {
		char path[16], val[16];
		snprintf(path, sizeof(path), "/k%d", i);
		snprintf(val, sizeof(val), "v%d", i);
		const struct node *n = store_lookup(&d.store, path);
		if (!n)
			break;
		/* Nothing out of order: /k<i> only if all before it. */
		assert_int_equal(found, i);
		assert_int_equal(n->vlen, strlen(val));
		assert_memory_equal(n->value, val, n->vlen);
		assert_int_equal(n->nperms, i == 2 ? 2 : 1);
		found++;
	}
	for (int i = found; i < NRECS; i++) {
		char path[16];
		snprintf(path, sizeof(path), "/k%d", i);
		assert_null(store_lookup(&d.store, path));
	}
	journal_close(&d);
	daemon_release(&d);
	return found;
}

static void test_truncation_at_every_offset(void **state)
{
	struct fixture *f = *state;
	int ret;

	for (size_t len = 0; len <= f->jlen; len++) {
		int complete = 0;
		for (int i = 1; i <= NRECS; i++)
			if (f->rec_end[i] <= len)
				complete = i;
		make_work(f, f->journal, len, true);
		int got = recover_count(f, false, &ret);
		if (got != complete)
			fail_msg("journal cut at %zu of %zu: %d records recovered, "
				 "%d complete (ret %d)", len, f->jlen, got, complete,
				 ret);
		/* The torn tail was cut away: recovering again changes
		 * nothing. */
		if (len % 7 == 0)
			assert_int_equal(recover_count(f, false, &ret), complete);
	}
}

static void test_flip_in_middle_refused(void **state)
{
	struct fixture *f = *state;
	unsigned char *copy = malloc(f->jlen);
	int ret;

	/* Every bit of record 3 (of 6): valid ones follow it. */
	for (size_t bit = f->rec_end[2] * 8; bit < f->rec_end[3] * 8; bit += 3) {
		memcpy(copy, f->journal, f->jlen);
		copy[bit / 8] ^= (unsigned char)(1u << (bit % 8));
		make_work(f, copy, f->jlen, true);
		if (recover_count(f, false, &ret) != -1 || ret != RECOVER_DAMAGED)
			fail_msg("flip of bit %zu: strict recovery did not refuse", bit);
		make_work(f, copy, f->jlen, true);
		assert_int_equal(recover_count(f, true, &ret), 2);
	}
	/* In the last record it is a torn tail: the five before it stay. */
	memcpy(copy, f->journal, f->jlen);
	copy[f->rec_end[NRECS - 1] + 20] ^= 0x10;
	make_work(f, copy, f->jlen, true);
	assert_int_equal(recover_count(f, false, &ret), NRECS - 1);
	free(copy);
}

static void test_missing_snapshot_refused(void **state)
{
	struct fixture *f = *state;
	int ret;

	make_work(f, f->journal, f->jlen, false);
	assert_int_equal(recover_count(f, false, &ret), -1);
	assert_int_equal(ret, RECOVER_DAMAGED);
	/* Partial: the journal cannot be applied without its base. */
	make_work(f, f->journal, f->jlen, false);
	assert_int_equal(recover_count(f, true, &ret), 0);
	/* And the whole journal with its snapshot gives everything. */
	make_work(f, f->journal, f->jlen, true);
	assert_int_equal(recover_count(f, false, &ret), NRECS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc_check_value),
		cmocka_unit_test(test_record_round_trip),
		cmocka_unit_test(test_every_bit_flip_detected),
		cmocka_unit_test_setup_teardown(test_truncation_at_every_offset,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_flip_in_middle_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_missing_snapshot_refused, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
