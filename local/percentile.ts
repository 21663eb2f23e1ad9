/**
 * The nearest-rank percentile of `values` (p in 0..100): the smallest value with at least p % of the values at or
 * below it. Nearest rank, not interpolation, so every figure reported is one that was measured. Undefined when empty.
 */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (!(p >= 0 && p <= 100)) throw new Error(`percentile: p must be from 0 to 100, got ${p}`);
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}
