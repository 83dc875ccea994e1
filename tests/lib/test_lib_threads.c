/* SPDX-License-Identifier: MIT */
/*
 * libxenstore.so.4 shared by many threads, against the real daemon.
 *
 * One handle from xs_open(0) is used at the same time by NTHREADS workers
 * and by one watch thread.  Each worker writes values unique to itself
 * (thread, iteration, random length) to keys of its own and reads them
 * back, lists its own directory, writes an unwatched key, overwrites a key
 * shared by all, and runs transactions on shared keys: a counter
 * increment, a transfer between two keys whose sum is fixed, and an
 * aborted write; commits that fail with EAGAIN are retried.  The watch
 * thread sits in xs_read_watch() on the subtree everything but the
 * unwatched keys lives in, and counts events per path.
 *
 * What must hold: every reply belongs to its request (a worker reads back
 * exactly what it wrote; a shared value is always some worker's whole
 * value), the transactions are atomic and read a snapshot (the sum never
 * changes, the counter equals the number of committed increments, aborted
 * writes leave no trace), and no event is lost or invented (per path, the
 * watch thread sees exactly one event per successful write, removal or
 * committed change).  The daemon drops events beyond a bound queued per
 * connection, so workers take a credit per event they cause and the watch
 * thread returns it when the event arrives: never more than WINDOW events
 * are in flight.
 *
 * The whole run is bounded: a soft deadline fails the test cleanly, and
 * an alarm kills the daemon and exits if a call never returns.  Worker
 * threads never call cmocka; they record the first problem and the main
 * thread asserts.  Meant to run clean under SANITIZE=thread as well as
 * address,undefined (see mk/libtests.mk).
 *
 * Environment: XENSTORED_BIN (the daemon, see tests/proto/proto.c),
 * XS_LIB_THREADS_ITERS (iterations per worker), XS_TEST_LIB_ANY=1 (do not
 * insist that libxenstore.so.4 is the one of this build).
 */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "proto.h"
#include "xenstore.h"

#define NTHREADS 8
#define NOWN 4		    /* own keys k0..k3 per worker, plus "tx" */
#define ITERS_DEFAULT 200   /* iterations per worker */
#define VALUE_MAX 900	    /* longest own value */
#define WINDOW 256	    /* events in flight, well below the daemon's 1024 */
#define TOTAL 100000L	    /* a + b, kept by the transfer transactions */
#define RETRY_MAX 10000	    /* EAGAIN retries of one transaction */
#define SOFT_LIMIT_S 15	    /* workers and watcher must be done by then */
#define HARD_LIMIT_S 20	    /* alarm: the process dies */
#define TOKEN "mt-token"

#define WATCHED "/mt/w"
#define UNWATCHED "/mt/u"

/* Every path the watch may report, with what is expected and seen. */
enum {
	P_ROOT,	   /* WATCHED itself: the event of registering the watch */
	P_DONE,	   /* written by the main thread after the workers */
	P_COUNTER, /* shared, transactional increments */
	P_A,	   /* shared, transfers keep P_A + P_B == TOTAL */
	P_B,
	P_FREE, /* shared, plain writes by everyone */
	P_OWN0, /* per worker: k0..k(NOWN-1), then tx */
	NPATHS = P_OWN0 + NTHREADS * (NOWN + 1),
};

static char paths[NPATHS][64];
static atomic_uint expected[NPATHS]; /* events the workers caused */
static unsigned int seen[NPATHS];    /* watch thread only, until joined */

static inline int own_index(int thread, int key)
{
	return P_OWN0 + thread * (NOWN + 1) + key;
}

struct worker {
	int id;
	pthread_t thread;
	uint32_t rng;
	char last[NOWN][VALUE_MAX + 1]; /* what each own key holds */
	unsigned int last_len[NOWN];
	bool exists[NOWN];
	char last_tx[64]; /* value of own tx key, once committed */
	unsigned int increments; /* committed counter increments */
	long moved;		 /* total moved from a to b */
	unsigned int retries;	 /* EAGAIN commits */
	unsigned int requests;
};

static struct {
	struct daemon_proc dp;
	struct xs_handle *h;
	struct timespec deadline; /* CLOCK_REALTIME, for timed waits */

	pthread_mutex_t lock;
	pthread_cond_t cond;  /* credits returned, or stop */
	int credits;	      /* [lock] */
	unsigned int errors;  /* [lock] */
	char first_error[512];/* [lock] */
	atomic_bool stop;     /* a problem was recorded: everyone ends */

	/* Watch thread only, until joined. */
	unsigned int unexpected;
	char first_unexpected[256];
	unsigned int events;
} T = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
};

static struct worker workers[NTHREADS];
static int iterations = ITERS_DEFAULT; /* per worker; set before they start */

/* ---- recording problems (any thread) ---- */

__attribute__((format(printf, 1, 2))) static void problem(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&T.lock);
	if (T.errors++ == 0) {
		va_start(ap, fmt);
		vsnprintf(T.first_error, sizeof(T.first_error), fmt, ap);
		va_end(ap);
	}
	atomic_store(&T.stop, true);
	pthread_cond_broadcast(&T.cond);
	pthread_mutex_unlock(&T.lock);
}

static bool past_deadline(void)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	return now.tv_sec > T.deadline.tv_sec ||
	       (now.tv_sec == T.deadline.tv_sec &&
		now.tv_nsec >= T.deadline.tv_nsec);
}

/* ---- event credits ---- */

/* Wait until n more events may be caused; false if the run is over. */
static bool take_credits(int n)
{
	bool ok = true;

	pthread_mutex_lock(&T.lock);
	while (T.credits < n && !atomic_load(&T.stop)) {
		if (pthread_cond_timedwait(&T.cond, &T.lock, &T.deadline) ==
		    ETIMEDOUT)
			break;
	}
	if (atomic_load(&T.stop)) {
		ok = false;
	} else if (T.credits < n) {
		int in_flight = WINDOW - T.credits;

		pthread_mutex_unlock(&T.lock);
		problem("out of time waiting for events (%d in flight)",
			in_flight);
		return false;
	} else {
		T.credits -= n;
	}
	pthread_mutex_unlock(&T.lock);
	return ok;
}

static void give_credits(int n)
{
	pthread_mutex_lock(&T.lock);
	T.credits += n;
	pthread_cond_broadcast(&T.cond);
	pthread_mutex_unlock(&T.lock);
}

/* ---- the watch thread ---- */

static int path_index(const char *path)
{
	for (int i = 0; i < NPATHS; i++)
		if (strcmp(paths[i], path) == 0)
			return i;
	return -1;
}

static void *watch_main(void *arg)
{
	(void)arg;
	for (;;) {
		unsigned int num = 0;
		char **ev = xs_read_watch(T.h, &num);
		int idx;

		if (!ev) {
			problem("xs_read_watch: %s", strerror(errno));
			return NULL;
		}
		T.events++;
		idx = num >= 2 && strcmp(ev[XS_WATCH_TOKEN], TOKEN) == 0
			      ? path_index(ev[XS_WATCH_PATH])
			      : -1;
		if (idx < 0) {
			if (T.unexpected++ == 0)
				snprintf(T.first_unexpected,
					 sizeof(T.first_unexpected),
					 "%s (token %s, %u strings)",
					 ev[XS_WATCH_PATH], ev[XS_WATCH_TOKEN],
					 num);
			free(ev);
			continue;
		}
		free(ev);
		seen[idx]++;
		if (idx == P_DONE)
			return NULL;
		if (idx != P_ROOT)
			give_credits(1);
	}
}

/* ---- worker helpers ---- */

static uint32_t rnd(struct worker *w)
{
	/* xorshift32: cheap, per thread, reproducible. */
	w->rng ^= w->rng << 13;
	w->rng ^= w->rng >> 17;
	w->rng ^= w->rng << 5;
	return w->rng;
}

/* Read path (in t) and compare with exactly want[0..len).  */
static bool read_expect(struct worker *w, xs_transaction_t t,
			const char *path, const char *want, unsigned int len)
{
	unsigned int got_len = 0;
	char *got = xs_read(T.h, t, path, &got_len);

	w->requests++;
	if (!got) {
		problem("thread %d: read %s: %s", w->id, path, strerror(errno));
		return false;
	}
	if (got_len != len || memcmp(got, want, len) != 0) {
		problem("thread %d: read %s: %u bytes \"%.40s\", wrote %u bytes "
			"\"%.40s\"",
			w->id, path, got_len, got, len, want);
		free(got);
		return false;
	}
	free(got);
	return true;
}

/* Read a decimal value; false (and a problem, unless EAGAIN) if not. */
static bool read_long(struct worker *w, xs_transaction_t t, const char *path,
		      long *out)
{
	char *val = xs_read(T.h, t, path, NULL);
	char *end;

	w->requests++;
	if (!val) {
		if (errno != EAGAIN)
			problem("thread %d: read %s: %s", w->id, path,
				strerror(errno));
		return false;
	}
	*out = strtol(val, &end, 10);
	if (end == val || *end != '\0') {
		problem("thread %d: %s holds \"%.40s\", not a number", w->id,
			path, val);
		free(val);
		return false;
	}
	free(val);
	return true;
}

static bool write_str(struct worker *w, xs_transaction_t t, const char *path,
		      const char *val)
{
	w->requests++;
	if (xs_write(T.h, t, path, val, (unsigned int)strlen(val)))
		return true;
	if (errno != EAGAIN || t == XBT_NULL)
		problem("thread %d: write %s: %s", w->id, path,
			strerror(errno));
	return false;
}

/* Write a fresh value of random length to own key k and read it back. */
static bool own_write(struct worker *w, int n, int k)
{
	const char *path = paths[own_index(w->id, k)];
	char *val = w->last[k];
	unsigned int len = 1 + rnd(w) % VALUE_MAX;
	int head = snprintf(val, VALUE_MAX + 1, "t%d-n%d-k%d:", w->id, n, k);

	for (unsigned int i = (unsigned int)head; i < len; i++)
		val[i] = (char)('a' + rnd(w) % 26);
	if (len < (unsigned int)head)
		len = (unsigned int)head; /* the unique part always goes in */
	val[len] = '\0';
	if (!take_credits(1))
		return false;
	w->requests++;
	if (!xs_write(T.h, XBT_NULL, path, val, len)) {
		give_credits(1);
		problem("thread %d: write %s: %s", w->id, path,
			strerror(errno));
		return false;
	}
	atomic_fetch_add(&expected[own_index(w->id, k)], 1);
	w->last_len[k] = len;
	w->exists[k] = true;
	return read_expect(w, XBT_NULL, path, val, len);
}

/* An own key written earlier still holds its value. */
static bool own_recheck(struct worker *w)
{
	int k = (int)(rnd(w) % NOWN);
	const char *path = paths[own_index(w->id, k)];

	if (w->exists[k])
		return read_expect(w, XBT_NULL, path, w->last[k],
				   w->last_len[k]);
	w->requests++;
	if (xs_read(T.h, XBT_NULL, path, NULL) || errno != ENOENT) {
		problem("thread %d: %s should be missing (%s)", w->id, path,
			strerror(errno));
		return false;
	}
	return true;
}

/* Remove the last own key (one event) and check it is gone. */
static bool own_remove(struct worker *w)
{
	const int k = NOWN - 1;
	const char *path = paths[own_index(w->id, k)];

	if (!w->exists[k])
		return true;
	if (!take_credits(1))
		return false;
	w->requests++;
	if (!xs_rm(T.h, XBT_NULL, path)) {
		give_credits(1);
		problem("thread %d: rm %s: %s", w->id, path, strerror(errno));
		return false;
	}
	atomic_fetch_add(&expected[own_index(w->id, k)], 1);
	w->exists[k] = false;
	w->requests++;
	if (xs_read(T.h, XBT_NULL, path, NULL) || errno != ENOENT) {
		problem("thread %d: %s still there after rm (%s)", w->id, path,
			strerror(errno));
		return false;
	}
	return true;
}

/* Is name among the entries a directory listing should show? */
static bool want_entry(const struct worker *w, const char *name)
{
	for (int k = 0; k < NOWN; k++) {
		char key[8];

		snprintf(key, sizeof(key), "k%d", k);
		if (w->exists[k] && strcmp(name, key) == 0)
			return true;
	}
	return w->last_tx[0] && strcmp(name, "tx") == 0;
}

/* The own directory lists exactly the own keys that exist. */
static bool own_directory(struct worker *w)
{
	char dir[32];
	unsigned int num = 0, want = w->last_tx[0] ? 1 : 0;
	char **names;

	for (int k = 0; k < NOWN; k++)
		want += w->exists[k];
	snprintf(dir, sizeof(dir), WATCHED "/t%d", w->id);
	w->requests++;
	names = xs_directory(T.h, XBT_NULL, dir, &num);
	if (!names) {
		problem("thread %d: directory %s: %s", w->id, dir,
			strerror(errno));
		return false;
	}
	bool ok = num == want;
	for (unsigned int i = 0; ok && i < num; i++)
		ok = want_entry(w, names[i]);
	if (!ok)
		problem("thread %d: directory %s: %u entries (first \"%s\"), "
			"want %u",
			w->id, dir, num, num ? names[0] : "", want);
	free(names);
	return ok;
}

/* The shared directory always lists the same four keys. */
static bool shared_directory(struct worker *w)
{
	static const char *const want[] = {"counter", "a", "b", "free"};
	unsigned int num = 0;
	char **names;
	bool ok;

	w->requests++;
	names = xs_directory(T.h, XBT_NULL, WATCHED "/shared", &num);
	if (!names) {
		problem("thread %d: directory shared: %s", w->id,
			strerror(errno));
		return false;
	}
	ok = num == 4;
	for (unsigned int i = 0; ok && i < num; i++) {
		bool found = false;

		for (unsigned int j = 0; j < 4; j++)
			found = found || strcmp(names[i], want[j]) == 0;
		ok = found;
	}
	if (!ok)
		problem("thread %d: directory shared: %u entries", w->id, num);
	free(names);
	return ok;
}

/* A key nobody watches: no event may come of it. */
static bool unwatched_write(struct worker *w, int n)
{
	char path[32], val[32];

	snprintf(path, sizeof(path), UNWATCHED "/t%d/x", w->id);
	snprintf(val, sizeof(val), "u%d-%d", w->id, n);
	return write_str(w, XBT_NULL, path, val) &&
	       read_expect(w, XBT_NULL, path, val, (unsigned int)strlen(val));
}

/* Overwrite the shared key; what is read is someone's whole value. */
static bool shared_write(struct worker *w, int n)
{
	char val[32];
	char *got;
	int who, iter, used = 0;

	snprintf(val, sizeof(val), "t%d-%d", w->id, n);
	if (!take_credits(1))
		return false;
	if (!write_str(w, XBT_NULL, paths[P_FREE], val)) {
		give_credits(1);
		return false;
	}
	atomic_fetch_add(&expected[P_FREE], 1);
	w->requests++;
	got = xs_read(T.h, XBT_NULL, paths[P_FREE], NULL);
	if (!got) {
		problem("thread %d: read shared: %s", w->id, strerror(errno));
		return false;
	}
	if (sscanf(got, "t%d-%d%n", &who, &iter, &used) != 2 ||
	    got[used] != '\0' || who < 0 || who >= NTHREADS || iter < 0 ||
	    (who == w->id && iter > n)) {
		problem("thread %d: shared key holds \"%.40s\"", w->id, got);
		free(got);
		return false;
	}
	free(got);
	return true;
}

/*
 * Run one transaction body until its commit succeeds, retrying on
 * EAGAIN.  body returns 1 done (commit), 0 abort and retry (EAGAIN inside
 * the transaction), -1 failed (a problem was recorded).  ncred events are
 * reserved around each attempt.  Returns true once committed.
 */
typedef int txn_body(struct worker *w, xs_transaction_t t, void *arg);

static bool run_txn(struct worker *w, int ncred, txn_body *body, void *arg)
{
	for (int attempt = 0; attempt < RETRY_MAX; attempt++) {
		xs_transaction_t t;
		int ret, err;

		if (atomic_load(&T.stop))
			return false;
		if (past_deadline()) {
			problem("thread %d: out of time in a transaction",
				w->id);
			return false;
		}
		if (!take_credits(ncred))
			return false;
		w->requests++;
		t = xs_transaction_start(T.h);
		if (t == XBT_NULL) {
			err = errno;
			give_credits(ncred);
			if (err == EAGAIN)
				continue;
			problem("thread %d: transaction_start: %s", w->id,
				strerror(err));
			return false;
		}
		ret = body(w, t, arg);
		if (ret < 0) {
			give_credits(ncred);
			xs_transaction_end(T.h, t, true);
			return false;
		}
		w->requests++;
		if (ret > 0) {
			if (xs_transaction_end(T.h, t, false))
				return true;
			err = errno;
			give_credits(ncred);
			if (err != EAGAIN) {
				problem("thread %d: commit: %s", w->id,
					strerror(err));
				return false;
			}
		} else {
			give_credits(ncred);
			if (!xs_transaction_end(T.h, t, true)) {
				problem("thread %d: abort: %s", w->id,
					strerror(errno));
				return false;
			}
		}
		w->retries++;
	}
	problem("thread %d: transaction never committed", w->id);
	return false;
}

/* Errors inside a transaction body: EAGAIN means "retry". */
static int body_fail(void)
{
	return errno == EAGAIN && !atomic_load(&T.stop) ? 0 : -1;
}

struct incr_arg {
	char tx_val[64];
};

/* counter += 1, and the own tx key, which reads back inside the txn. */
static int body_increment(struct worker *w, xs_transaction_t t, void *varg)
{
	struct incr_arg *arg = varg;
	char num[32];
	long v;

	if (!read_long(w, t, paths[P_COUNTER], &v))
		return body_fail();
	snprintf(num, sizeof(num), "%ld", v + 1);
	if (!write_str(w, t, paths[P_COUNTER], num) ||
	    !write_str(w, t, paths[own_index(w->id, NOWN)], arg->tx_val))
		return body_fail();
	if (!read_expect(w, t, paths[P_COUNTER], num,
			 (unsigned int)strlen(num)) ||
	    !read_expect(w, t, paths[own_index(w->id, NOWN)], arg->tx_val,
			 (unsigned int)strlen(arg->tx_val)))
		return -1;
	return 1;
}

static bool txn_increment(struct worker *w, int n)
{
	struct incr_arg arg;

	snprintf(arg.tx_val, sizeof(arg.tx_val), "t%d-tx%d", w->id, n);
	if (!run_txn(w, 2, body_increment, &arg))
		return false;
	w->increments++;
	atomic_fetch_add(&expected[P_COUNTER], 1);
	atomic_fetch_add(&expected[own_index(w->id, NOWN)], 1);
	snprintf(w->last_tx, sizeof(w->last_tx), "%s", arg.tx_val);
	return true;
}

struct move_arg {
	long amount;
};

/* Move an amount from a to b; the snapshot must add up. */
static int body_move(struct worker *w, xs_transaction_t t, void *varg)
{
	struct move_arg *arg = varg;
	char num[32];
	long a, b;

	if (!read_long(w, t, paths[P_A], &a) ||
	    !read_long(w, t, paths[P_B], &b))
		return body_fail();
	if (a + b != TOTAL) {
		problem("thread %d: transaction sees a=%ld b=%ld, sum %ld",
			w->id, a, b, a + b);
		return -1;
	}
	snprintf(num, sizeof(num), "%ld", a - arg->amount);
	if (!write_str(w, t, paths[P_A], num))
		return body_fail();
	snprintf(num, sizeof(num), "%ld", b + arg->amount);
	if (!write_str(w, t, paths[P_B], num))
		return body_fail();
	return 1;
}

static bool txn_move(struct worker *w)
{
	struct move_arg arg = {.amount = (long)(rnd(w) % 100)};

	if (!run_txn(w, 2, body_move, &arg))
		return false;
	w->moved += arg.amount;
	atomic_fetch_add(&expected[P_A], 1);
	atomic_fetch_add(&expected[P_B], 1);
	return true;
}

/* Writes in an aborted transaction: seen inside, gone after. */
static bool txn_abort(struct worker *w, int n)
{
	char val[32];
	xs_transaction_t t;

	snprintf(val, sizeof(val), "aborted-%d-%d", w->id, n);
	w->requests++;
	t = xs_transaction_start(T.h);
	if (t == XBT_NULL) {
		problem("thread %d: transaction_start: %s", w->id,
			strerror(errno));
		return false;
	}
	if (!write_str(w, t, paths[P_COUNTER], val) ||
	    !write_str(w, t, paths[own_index(w->id, 0)], val)) {
		if (errno != EAGAIN)
			return false;
	} else if (!read_expect(w, t, paths[P_COUNTER], val,
				(unsigned int)strlen(val))) {
		return false;
	}
	w->requests++;
	if (!xs_transaction_end(T.h, t, true)) {
		problem("thread %d: abort: %s", w->id, strerror(errno));
		return false;
	}
	/* The own key still holds the last value written outside. */
	return !w->exists[0] ||
	       read_expect(w, XBT_NULL, paths[own_index(w->id, 0)], w->last[0],
			   w->last_len[0]);
}

static void *worker_main(void *varg)
{
	struct worker *w = varg;

	for (int n = 0; n < iterations; n++) {
		bool ok;

		if (atomic_load(&T.stop))
			break;
		if (past_deadline()) {
			problem("thread %d: out of time at iteration %d", w->id,
				n);
			break;
		}
		ok = own_write(w, n, n % NOWN) && own_recheck(w) &&
		     unwatched_write(w, n) && shared_write(w, n);
		if (ok && n % 3 == 0)
			ok = own_directory(w);
		if (ok) {
			switch (n % 8) {
			case 1: case 4: ok = txn_increment(w, n); break;
			case 2: case 6: ok = txn_move(w); break;
			case 5: ok = txn_abort(w, n); break;
			case 7: ok = own_remove(w) && own_directory(w); break;
			default: ok = shared_directory(w); break;
			}
		}
		if (!ok)
			break;
	}
	return NULL;
}

/* ---- set-up, the test, tear-down ---- */

/* If a call never returns, nothing else will end the run. */
static void watchdog(int sig)
{
	static const char msg[] = "test_lib_threads: no progress in "
				  "time, giving up\n";
	(void)sig;
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) {
		/* nothing more to do */
	}
	if (T.dp.pid > 0)
		kill(T.dp.pid, SIGKILL);
	_exit(99);
}

/*
 * In the daemon's process, between fork and exec (daemon_start() forks):
 * a test that dies of a sanitizer report or an abort must not leave its
 * daemon running, holding the output pipe of whoever ran the test.
 */
static void daemon_dies_with_us(void)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
}

static bool must_write(const char *path, const char *val)
{
	return xs_write(T.h, XBT_NULL, path, val, (unsigned int)strlen(val));
}

static int setup(void **state)
{
	(void)state;
	signal(SIGALRM, watchdog);
	alarm(HARD_LIMIT_S);
	pthread_atfork(NULL, NULL, daemon_dies_with_us);
	if (daemon_start(&T.dp, NULL) != 0) {
		fprintf(stderr, "cannot start the daemon\n");
		return -1;
	}
	setenv("XENSTORED_PATH", T.dp.sock, 1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	alarm(0);
	return daemon_stop(&T.dp) == 0 ? 0 : -1;
}

/* The library in use is the one built here, not Debian's. */
static void test_library_is_ours(void **state)
{
	Dl_info info;

	(void)state;
	if (getenv("XS_TEST_LIB_ANY"))
		skip();
	assert_true(dladdr((void *)xs_open, &info) != 0);
	assert_non_null(info.dli_fname);
	printf("libxenstore in use: %s\n", info.dli_fname);
	assert_string_equal(info.dli_fname, XS_TEST_LIBDIR "/libxenstore.so.4");
}

static void test_threads_share_one_handle(void **state)
{
	pthread_t watcher;
	struct timespec wait_until;
	unsigned int requests = 0, retries = 0, increments = 0;
	long moved = 0, a, b, counter;
	const char *env = getenv("XS_LIB_THREADS_ITERS");
	char *val;

	(void)state;
	if (env && atoi(env) > 0)
		iterations = atoi(env);
	T.h = xs_open(0);
	assert_non_null(T.h);

	/* The tree, before anyone watches it. */
	snprintf(paths[P_ROOT], sizeof(paths[0]), WATCHED);
	snprintf(paths[P_DONE], sizeof(paths[0]), WATCHED "/done");
	snprintf(paths[P_COUNTER], sizeof(paths[0]), WATCHED "/shared/counter");
	snprintf(paths[P_A], sizeof(paths[0]), WATCHED "/shared/a");
	snprintf(paths[P_B], sizeof(paths[0]), WATCHED "/shared/b");
	snprintf(paths[P_FREE], sizeof(paths[0]), WATCHED "/shared/free");
	for (int i = 0; i < NTHREADS; i++) {
		char dir[32];

		for (int k = 0; k < NOWN; k++)
			snprintf(paths[own_index(i, k)], sizeof(paths[0]),
				 WATCHED "/t%d/k%d", i, k);
		snprintf(paths[own_index(i, NOWN)], sizeof(paths[0]),
			 WATCHED "/t%d/tx", i);
		snprintf(dir, sizeof(dir), WATCHED "/t%d", i);
		assert_true(xs_mkdir(T.h, XBT_NULL, dir));
		snprintf(dir, sizeof(dir), UNWATCHED "/t%d", i);
		assert_true(xs_mkdir(T.h, XBT_NULL, dir));
	}
	assert_true(must_write(paths[P_COUNTER], "0"));
	assert_true(must_write(paths[P_A], "100000"));
	assert_true(must_write(paths[P_B], "0"));
	assert_true(must_write(paths[P_FREE], "t0-0"));

	/* Starts the library's reader thread; the first event follows. */
	assert_true(xs_watch(T.h, WATCHED, TOKEN));
	T.credits = WINDOW;
	clock_gettime(CLOCK_REALTIME, &T.deadline);
	T.deadline.tv_sec += SOFT_LIMIT_S;
	assert_int_equal(pthread_create(&watcher, NULL, watch_main, NULL), 0);
	for (int i = 0; i < NTHREADS; i++) {
		workers[i].id = i;
		workers[i].rng = 0x9e3779b9u * (uint32_t)(i + 1);
		assert_int_equal(pthread_create(&workers[i].thread, NULL,
						worker_main, &workers[i]),
				 0);
	}
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(workers[i].thread, NULL);

	/* Events come in order: once "done" is seen, all others were. */
	wait_until = T.deadline;
	wait_until.tv_sec += 2;
	if (!must_write(paths[P_DONE], "1")) {
		problem("write %s: %s", paths[P_DONE], strerror(errno));
		pthread_cancel(watcher);
		pthread_join(watcher, NULL);
	} else if (pthread_timedjoin_np(watcher, NULL, &wait_until) != 0) {
		problem("the watch thread did not see %s in time",
			paths[P_DONE]);
		pthread_cancel(watcher);
		pthread_join(watcher, NULL);
	}

	for (int i = 0; i < NTHREADS; i++) {
		requests += workers[i].requests;
		retries += workers[i].retries;
		increments += workers[i].increments;
		moved += workers[i].moved;
	}
	printf("%d threads: %u requests, %u events, %u commits retried "
	       "on EAGAIN, %u increments\n",
	       NTHREADS, requests, T.events, retries, increments);
	fflush(stdout);
	if (T.errors)
		fail_msg("%u problem(s), the first: %s", T.errors,
			 T.first_error);

	/* No event invented, none lost. */
	if (T.unexpected)
		fail_msg("%u unexpected event(s), the first: %s", T.unexpected,
			 T.first_unexpected);
	assert_int_equal(seen[P_ROOT], 1);
	assert_int_equal(seen[P_DONE], 1);
	for (int i = P_COUNTER; i < NPATHS; i++) {
		unsigned int want = atomic_load(&expected[i]);

		if (seen[i] != want)
			fail_msg("%s: %u event(s) seen, %u caused", paths[i],
				 seen[i], want);
	}

	/* Transactions: every committed change, nothing else. */
	val = xs_read(T.h, XBT_NULL, paths[P_COUNTER], NULL);
	assert_non_null(val);
	counter = strtol(val, NULL, 10);
	free(val);
	assert_int_equal(counter, increments);
	val = xs_read(T.h, XBT_NULL, paths[P_A], NULL);
	assert_non_null(val);
	a = strtol(val, NULL, 10);
	free(val);
	val = xs_read(T.h, XBT_NULL, paths[P_B], NULL);
	assert_non_null(val);
	b = strtol(val, NULL, 10);
	free(val);
	assert_int_equal(a, TOTAL - moved);
	assert_int_equal(b, moved);

	/* Each own key holds the last value its thread wrote. */
	for (int i = 0; i < NTHREADS; i++) {
		const struct worker *w = &workers[i];

		for (int k = 0; k < NOWN; k++) {
			unsigned int len = 0;

			val = xs_read(T.h, XBT_NULL, paths[own_index(i, k)],
				      &len);
			if (!w->exists[k]) {
				assert_null(val);
				assert_int_equal(errno, ENOENT);
				continue;
			}
			assert_non_null(val);
			assert_int_equal(len, w->last_len[k]);
			assert_memory_equal(val, w->last[k], len);
			free(val);
		}
		if (w->last_tx[0]) {
			val = xs_read(T.h, XBT_NULL, paths[own_index(i, NOWN)],
				      NULL);
			assert_non_null(val);
			assert_string_equal(val, w->last_tx);
			free(val);
		}
	}
	xs_close(T.h);
	T.h = NULL;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_library_is_ours),
		cmocka_unit_test(test_threads_share_one_handle),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
