import type { BenchContext, PairedModule, Sample } from './types';

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

export const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

export const round = (value: number, digits = 3) => Number(value.toFixed(digits));

export const rate = (s: Sample) => s.units / s.seconds;

/** Seconds `body` takes (monotonic clock). */
export async function timed<T>(body: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const started = performance.now();
  const value = await body();
  return { seconds: (performance.now() - started) / 1000, value };
}

/** Run, baseline, run, baseline… `repeats` times each, so drift on a shared machine hits both sides alike. */
export async function alternate(ctx: BenchContext, module: PairedModule): Promise<{ runs: Sample[]; baselines: Sample[] }> {
  const runs: Sample[] = [];
  const baselines: Sample[] = [];
  for (let i = 0; i < ctx.repeats; i++) {
    const run = await module.run(ctx, i);
    const baseline = await module.baseline(ctx, i);
    runs.push(run);
    baselines.push(baseline);
    const perSecond = (s: Sample) => `${Math.round(rate(s)).toLocaleString('en')} ${module.unit}/s`;
    ctx.say(`  ${module.name} #${i + 1}: ${perSecond(run)}, baseline ${perSecond(baseline)}`);
  }
  return { runs, baselines };
}
