import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { runToEnd } from '../../lib/processes';

// `npm run bench -- --quick` once, as a smoke test: the command runs every module at small sizes
// against the suite's Temporal server and a database of its own, exits 0, and its JSON result holds
// the machine, every figure and passing guardrails.

const dir = mkdtempSync(join(tmpdir(), 'meterflow-bench-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FIGURES = [
  'rating on one core ÷ COPY', 'Temporal per-activity overhead p50', 'Temporal per-activity overhead p99', 'ingest ÷ COPY',
  're-upload of an identical file ÷ ON CONFLICT DO NOTHING', 'records redone after a crash ÷ chunk size', 'crash-resume total time ÷ undisturbed',
  'worker peak memory, 10,000-record file', '10× size ÷ 1× throughput', 'end to end ÷ straight script', 'end to end ÷ COPY of the rated rows', 'billing run ÷ SQL',
  'mediation-vs-script: baseline median', 'mediation-vs-copy: baseline median', 'billing: baseline median',
];

interface Report {
  ok: boolean;
  machine: { cores: number; memoryBytes: number; node: string; postgres: string };
  figures: Array<{ name: string; value: number | null; unit: string; note?: string }>;
  guardrails: Array<{ name: string; ok: boolean; detail: string }>;
}

describe('npm run bench -- --quick', () => {
  it('measures every figure with its baseline and passes every guardrail', async () => {
    const out = join(dir, 'result.json');
    const databaseUrl = new URL(inject('databaseUrl'));
    databaseUrl.pathname = '/postgres';
    const { code, output } = await runToEnd('bench/suite/index.ts', ['--quick', '--out', out], {
      TEMPORAL_ADDRESS: inject('temporalAddress'), DATABASE_URL: databaseUrl.toString(),
    });
    expect(code, output).toBe(0);
    const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
    expect(report.ok).toBe(true);
    expect(report.machine.cores).toBeGreaterThan(0);
    expect(report.machine.memoryBytes).toBeGreaterThan(0);
    expect(report.machine.node).toBe(process.version);
    expect(report.machine.postgres).toMatch(/^\d+/);
    const byName = new Map(report.figures.map((f) => [f.name, f]));
    for (const name of FIGURES) expect(byName.has(name), name).toBe(true);
    // Every figure is measured except the --large ratio, which says why it is missing.
    for (const f of report.figures) {
      if (f.value === null) expect(f.note, f.name).toBeTruthy();
      else expect(f.value, f.name).toBeGreaterThanOrEqual(0);
    }
    for (const name of [
      'rating on one core ÷ COPY', 'Temporal per-activity overhead p50', 'ingest ÷ COPY', 're-upload of an identical file ÷ ON CONFLICT DO NOTHING',
      'end to end ÷ straight script', 'end to end ÷ COPY of the rated rows', 'billing run ÷ SQL',
    ]) {
      expect(byName.get(name)!.value, name).toBeGreaterThan(0);
    }
    expect(report.guardrails.length).toBeGreaterThanOrEqual(10);
    expect(report.guardrails.filter((g) => !g.ok)).toEqual([]);
    expect(report.guardrails.map((g) => g.name)).toEqual(expect.arrayContaining([
      'history events per workflow run', 'payload size', 'ingest: no duplicate record', 're-upload: identical re-upload creates no new record',
      'crash-resume: every record stored after the crash', 'billing: SQL invoice totals equal the records\' exact sum',
      'mediation-vs-script: end to end money total equals the straight script\'s', 'mediation-vs-copy: end to end rated every CDR',
      'billing: invoice totals equal the SQL baseline\'s', 'billing: no record posted twice', 'billing: ledger debits equal credits',
    ]));
  }, 240_000);
});
