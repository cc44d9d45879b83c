import type { Check, Figure, Target } from './types';

// The printed table: one line per figure with its target and where it stands, then the guardrails.

function standing(value: number | null, target?: Target): string {
  if (value === null || !target) return '';
  const better = (a: number, b: number) => (target.lowerIsBetter ? a <= b : a >= b);
  return better(value, target.ambition) ? 'ambition met' : better(value, target.floor) ? 'floor met' : 'BELOW FLOOR';
}

export function renderTable(figures: ReadonlyArray<Figure & { module: string }>, checks: readonly Check[]): string {
  const rows = figures.map((f) => [
    f.name,
    f.value === null ? '—' : f.value.toLocaleString('en'),
    f.unit,
    f.target ? `${f.target.lowerIsBetter ? '≤' : '≥'} ${f.target.floor} / ${f.target.ambition}` : '',
    f.value === null ? (f.note ?? '') : standing(f.value, f.target),
  ]);
  const header = ['figure', 'value', 'unit', 'floor / ambition', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 1 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    'guardrails',
    ...checks.map((c) => `  ${c.ok ? 'ok    ' : 'BROKEN'}  ${c.name}: ${c.detail}`),
  ].join('\n');
}
