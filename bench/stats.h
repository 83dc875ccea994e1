/* SPDX-License-Identifier: MIT */
/*
 * Latency statistics for xsbench: a log-linear histogram of nanosecond
 * samples.  Fixed size (about 32 KiB), so recording never allocates and a run
 * of any length uses bounded memory; per-client histograms are merged after
 * the run.  Each bucket is at most 1/128 of its lower bound wide, so a
 * reported percentile is within 0.4% of the exact sample value, far below
 * run-to-run noise.
 */
#ifndef XSBENCH_STATS_H
#define XSBENCH_STATS_H

#include <stdint.h>

/* The top 8 bits of a sample pick its bucket: 128 buckets per octave. */
#define XSB_HIST_SUB_BITS 8u
#define XSB_HIST_SUB (1u << XSB_HIST_SUB_BITS)
#define XSB_HIST_MAX_BITS 36u			/* clamp samples at ~68.7 s */
#define XSB_HIST_BUCKETS \
	(XSB_HIST_SUB + (XSB_HIST_MAX_BITS - XSB_HIST_SUB_BITS + 1) * (XSB_HIST_SUB / 2))

struct xsb_hist {
	uint64_t count;
	uint64_t sum_ns;
	uint64_t min_ns, max_ns; /* exact, not bucketed */
	uint64_t bucket[XSB_HIST_BUCKETS];
};

void xsb_hist_init(struct xsb_hist *h);
void xsb_hist_add(struct xsb_hist *h, uint64_t ns);
void xsb_hist_merge(struct xsb_hist *into, const struct xsb_hist *from);

/*
 * The p-th percentile (0 < p <= 100) in nanoseconds: the value below which
 * p% of samples fall (nearest rank), 0 if there are no samples.
 */
double xsb_hist_percentile(const struct xsb_hist *h, double p);
double xsb_hist_mean(const struct xsb_hist *h);

/* Median of n values (sorts them in place); 0 for n == 0. */
double xsb_median(double *v, unsigned int n);

#endif
