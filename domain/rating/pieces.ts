// Cuts the segments of a time-based usage by the rate steps (offsets counted from the start of the
// usage, not of the segment) and rounds each piece up to whole billing increments. The rounding
// carries over: the extra time an increment paid for is not paid again by the next piece, so a
// 60-second first block is paid once even when a rate change falls inside it. Integer milliseconds
// only; money is computed by the engines.
import type { CompiledRate, CompiledStep } from './compile';
import type { Segment } from './select';

export interface TimePiece {
  readonly rate: CompiledRate;
  readonly step: CompiledStep;
  readonly offsetMs: number;
  readonly durationMs: number;
  /** Whole increments paid by this piece (0 when an earlier increment already covered it). */
  readonly increments: number;
  readonly billedMs: number;
}

export function timePieces(segments: readonly Segment[]): TimePiece[] {
  const pieces: TimePiece[] = [];
  let paidUntilMs = 0;
  for (const segment of segments) {
    for (const step of segment.rate.steps) {
      const fromMs = Math.max(segment.fromMs, step.fromMs);
      const toMs = Math.min(segment.toMs, step.toMs);
      if (fromMs >= toMs) continue;
      const chargeableFromMs = Math.max(fromMs, paidUntilMs);
      const increments = chargeableFromMs >= toMs ? 0 : Math.ceil((toMs - chargeableFromMs) / step.incrementMs);
      const billedMs = increments * step.incrementMs;
      if (increments > 0) paidUntilMs = chargeableFromMs + billedMs;
      pieces.push({ rate: segment.rate, step, offsetMs: fromMs, durationMs: toMs - fromMs, increments, billedMs });
    }
  }
  return pieces;
}
