// `npm run bench [-- --quick] [--large] [--seed N] [--only a,b] [--rows N] [--chunk-rows N] [--cdr-rows N] [--accounts N] [--out file.json]`: every
// bench module against its baseline measured in the same run on the same machine, a table, and
// bench/results/<timestamp>.json with the machine and every figure. Exits non-zero when a guardrail
// (history length, payload size, duplicates, money totals) is broken.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, platform, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { openEnvironment } from './environment';
import { historyChecks } from './guardrails';
import { benchModules } from './modules/index';
import { renderTable } from './report';
import { alternate, median, rate, round } from './stats';
import type { BenchContext, BenchModule, Check, Figure, Outcome, Sizes } from './types';

const QUICK: Sizes = { rows: 10_000, chunkRows: 1_000, ratingRecords: 50_000, overheadActivities: 100, cdrRows: 10_000, accounts: 100, recordsPerAccount: 100 };
const FULL: Sizes = { rows: 1_000_000, chunkRows: 50_000, ratingRecords: 200_000, overheadActivities: 1_000, cdrRows: 1_000_000, accounts: 2_000, recordsPerAccount: 500 };

export interface ModuleResult extends Outcome {
  name: string;
}

async function runModule(ctx: BenchContext, module: BenchModule): Promise<ModuleResult> {
  if (module.kind === 'custom') return { name: module.name, ...(await module.measure(ctx)) };
  const { runs, baselines } = await alternate(ctx, module);
  const baselineRate = median(baselines.map(rate));
  const runRate = median(runs.map(rate));
  const figures: Figure[] = [
    { name: `${module.name}: baseline median`, value: Math.round(baselineRate), unit: `${module.unit}/s` },
    { name: `${module.name}: median`, value: Math.round(runRate), unit: `${module.unit}/s` },
    { name: module.ratio, value: round(runRate / baselineRate), unit: 'ratio', target: module.target },
  ];
  const checks = (await module.guardrails?.(ctx)) ?? [];
  return { name: module.name, figures, checks, workflowIds: runs.flatMap((s) => s.workflowIds ?? []) };
}

async function main() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false }, large: { type: 'boolean', default: false }, seed: { type: 'string', default: '20240301' },
      only: { type: 'string' }, out: { type: 'string' }, rows: { type: 'string' }, 'chunk-rows': { type: 'string' }, 'cdr-rows': { type: 'string' },
      accounts: { type: 'string' },
    },
  });
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const say = (line: string) => console.log(line);
  const sizes: Sizes = {
    ...(values.quick ? QUICK : FULL),
    ...(values.rows ? { rows: Number.parseInt(values.rows, 10) } : {}),
    ...(values['chunk-rows'] ? { chunkRows: Number.parseInt(values['chunk-rows'], 10) } : {}),
    ...(values['cdr-rows'] ? { cdrRows: Number.parseInt(values['cdr-rows'], 10) } : {}),
    ...(values.accounts ? { accounts: Number.parseInt(values.accounts, 10) } : {}),
  };
  const only = values.only?.split(',');
  const modules = benchModules.filter((m) => !only || only.includes(m.name));
  const startedAt = new Date();
  say(`meterflow bench${values.quick ? ' (quick)' : ''}: ${modules.map((m) => m.name).join(', ')}`);
  const env = await openEnvironment({ seed: Number.parseInt(values.seed, 10), repeats: 3, sizes, large: values.large, say });
  const results: ModuleResult[] = [];
  let guardrails: Check[] = [];
  try {
    for (const module of modules) {
      say(`${module.name}…`);
      results.push(await runModule(env.ctx, module));
    }
    guardrails = await historyChecks(env.ctx.temporal, results.flatMap((r) => r.workflowIds));
  } finally {
    await env.close();
  }
  const checks = [...guardrails, ...results.flatMap((r) => r.checks.map((c) => ({ ...c, name: `${r.name}: ${c.name}` })))];
  const ok = checks.every((c) => c.ok);
  const report = {
    startedAt: startedAt.toISOString(),
    seconds: round((Date.now() - startedAt.getTime()) / 1000, 1),
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    seed: env.ctx.seed, quick: values.quick, large: values.large, sizes,
    machine: {
      cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memoryBytes: totalmem(), os: `${platform()} ${release()}`,
      node: process.version, postgres: env.postgresVersion,
    },
    figures: results.flatMap((r) => r.figures.map((f) => ({ module: r.name, ...f }))),
    guardrails: checks,
    ok,
  };
  say('');
  say(renderTable(report.figures, checks));
  const here = dirname(fileURLToPath(import.meta.url));
  const out = values.out ?? join(here, '..', 'results', `${startedAt.toISOString().replaceAll(':', '-')}.json`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  say(`\nresults: ${out}`);
  if (!ok) {
    say('GUARDRAIL BROKEN: see above');
    process.exitCode = 1;
  }
}

main().then(() => process.exit(process.exitCode ?? 0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
