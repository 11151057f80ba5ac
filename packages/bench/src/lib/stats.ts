/** The q-quantile (0..1) of `samples` by nearest rank; the samples need not be sorted. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

export const median = (samples: readonly number[]): number => quantile(samples, 0.5);

export function mean(samples: readonly number[]): number {
  let sum = 0;
  for (const sample of samples) sum += sample;
  return samples.length === 0 ? Number.NaN : sum / samples.length;
}
