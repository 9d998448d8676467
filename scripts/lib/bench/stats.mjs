// Small statistics helpers for the benchmark (exact percentiles over recorded samples).

/** Sorts a copy of `values` ascending (numbers). */
export const sorted = (values) => Float64Array.from(values).sort();

/** Nearest-rank percentile `p` (0..100) of an ascending array; null when empty. */
export function percentile(ascending, p) {
  if (ascending.length === 0) return null;
  const rank = Math.ceil((p / 100) * ascending.length);
  return ascending[Math.min(ascending.length - 1, Math.max(0, rank - 1))];
}

/** p50/p90/p95/p99/max/mean of latency samples in ms. */
export function summarize(values) {
  const s = sorted(values);
  const mean = s.length ? s.reduce((a, b) => a + b, 0) / s.length : null;
  return {
    count: s.length,
    mean: round(mean),
    p50: round(percentile(s, 50)),
    p90: round(percentile(s, 90)),
    p95: round(percentile(s, 95)),
    p99: round(percentile(s, 99)),
    max: round(s.length ? s[s.length - 1] : null),
  };
}

export const round = (x, digits = 2) => (x === null || x === undefined || Number.isNaN(x) ? null : Number(x.toFixed(digits)));
