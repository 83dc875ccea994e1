/* SPDX-License-Identifier: MIT */
/*
 * Histogram and median helpers for xsbench; see stats.h.
 *
 * Bucket layout: values below XSB_HIST_SUB get one bucket each (exact).
 * Above that, each power of two [2^k, 2^(k+1)) is cut into SUB/2 equal
 * buckets, indexed by the top SUB_BITS bits of the value.  This is the usual
 * "HDR histogram" idea, written out here in its simplest form.
 */
#include "stats.h"

#include <stdlib.h>
#include <string.h>

void xsb_hist_init(struct xsb_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min_ns = UINT64_MAX;
}

static unsigned int top_bit(uint64_t v)
{
	return 63u - (unsigned int)__builtin_clzll(v);
}

static unsigned int bucket_of(uint64_t v)
{
	unsigned int shift;

	if (v < XSB_HIST_SUB)
		return (unsigned int)v;
	if (v >= (1ull << XSB_HIST_MAX_BITS))
		v = (1ull << XSB_HIST_MAX_BITS) - 1;
	/* v >> shift keeps the top SUB_BITS bits: in [SUB/2, SUB). */
	shift = top_bit(v) - XSB_HIST_SUB_BITS + 1;
	return XSB_HIST_SUB + (shift - 1) * (XSB_HIST_SUB / 2) +
	       (unsigned int)(v >> shift) - XSB_HIST_SUB / 2;
}

/* Middle of bucket i, the best single estimate for its samples. */
static double bucket_mid(unsigned int i)
{
	unsigned int k, shift;
	uint64_t low;

	if (i < XSB_HIST_SUB)
		return (double)i;
	k = i - XSB_HIST_SUB;
	shift = k / (XSB_HIST_SUB / 2) + 1;
	low = (uint64_t)(k % (XSB_HIST_SUB / 2) + XSB_HIST_SUB / 2) << shift;
	return (double)low + (double)((1ull << shift) - 1) / 2.0;
}

void xsb_hist_add(struct xsb_hist *h, uint64_t ns)
{
	h->bucket[bucket_of(ns)]++;
	h->count++;
	h->sum_ns += ns;
	if (ns < h->min_ns)
		h->min_ns = ns;
	if (ns > h->max_ns)
		h->max_ns = ns;
}

void xsb_hist_merge(struct xsb_hist *into, const struct xsb_hist *from)
{
	for (unsigned int i = 0; i < XSB_HIST_BUCKETS; i++)
		into->bucket[i] += from->bucket[i];
	into->count += from->count;
	into->sum_ns += from->sum_ns;
	if (from->min_ns < into->min_ns)
		into->min_ns = from->min_ns;
	if (from->max_ns > into->max_ns)
		into->max_ns = from->max_ns;
}

double xsb_hist_percentile(const struct xsb_hist *h, double p)
{
	uint64_t rank, seen = 0;
	double exact;

	if (h->count == 0)
		return 0;
	/* Nearest rank: the smallest sample with at least p% at or below. */
	exact = p / 100.0 * (double)h->count;
	rank = (uint64_t)exact;
	if ((double)rank < exact)
		rank++;
	if (rank < 1)
		rank = 1;
	if (rank > h->count)
		rank = h->count;
	for (unsigned int i = 0; i < XSB_HIST_BUCKETS; i++) {
		seen += h->bucket[i];
		if (seen >= rank) {
			double v = bucket_mid(i);

			/* The exact extremes are known; never report beyond. */
			if (v < (double)h->min_ns)
				v = (double)h->min_ns;
			if (v > (double)h->max_ns)
				v = (double)h->max_ns;
			return v;
		}
	}
	return (double)h->max_ns;
}

double xsb_hist_mean(const struct xsb_hist *h)
{
	return h->count ? (double)h->sum_ns / (double)h->count : 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double xsb_median(double *v, unsigned int n)
{
	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}
