import type { Client } from '@temporalio/client';
import type { createApp } from '../../api/app';
import type { Database } from '../../db/client';
import type { Catalog } from '../../test/fixtures/catalog';
import type { WorkerProcess } from './worker-process';

// The plug-in interface of `npm run bench`: a module either pairs a measured run with its baseline
// (the runner alternates them, three times each, and reports medians and the ratio), or measures
// figures of its own (overhead percentiles, crash-resume). Guardrails fail the command when broken.

export interface Sizes {
  /** Rows of the usage file of ingest, re-upload and crash-resume. */
  rows: number;
  /** Rows per COPY transaction of the usage-file activity (crash-resume redoes at most this much). */
  chunkRows: number;
  /** Records rated (in memory) by the rating bench. */
  ratingRecords: number;
  /** No-op activities of the Temporal overhead bench. */
  overheadActivities: number;
  /** CDR rows of the mediation baselines. */
  cdrRows: number;
  /** Accounts and billable records per account of the billing baseline. */
  accounts: number;
  recordsPerAccount: number;
}

export interface BenchContext {
  seed: number;
  repeats: number;
  sizes: Sizes;
  large: boolean;
  database: Database;
  databaseUrl: string;
  temporal: Client;
  temporalAddress: string;
  taskQueue: string;
  app: ReturnType<typeof createApp>;
  catalog: Catalog;
  /** The worker as its own process (so it can be killed and its peak memory read). */
  worker: WorkerProcess;
  say(line: string): void;
}

/** One timed execution: `units` (rows, records, accounts) in `seconds`. */
export interface Sample {
  seconds: number;
  units: number;
  /** Workflow runs it started, whose histories the guardrails read. */
  workflowIds?: string[];
}

export interface Target {
  floor: number;
  ambition: number;
  /** Overheads and redone records: smaller is better. */
  lowerIsBetter?: boolean;
}

export interface Figure {
  name: string;
  value: number | null;
  unit: string;
  target?: Target;
  /** Why the figure is missing (e.g. the 10M run without --large). */
  note?: string;
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface Outcome {
  figures: Figure[];
  checks: Check[];
  workflowIds: string[];
}

interface ModuleBase {
  name: string;
}

export interface PairedModule extends ModuleBase {
  kind: 'paired';
  /** The ratio's name, e.g. "ingest ÷ COPY", and its target (absent where the issue sets none). */
  ratio: string;
  target?: Target;
  unit: string;
  run(ctx: BenchContext, iteration: number): Promise<Sample>;
  baseline(ctx: BenchContext, iteration: number): Promise<Sample>;
  guardrails?(ctx: BenchContext): Promise<Check[]>;
}

export interface CustomModule extends ModuleBase {
  kind: 'custom';
  measure(ctx: BenchContext): Promise<Outcome>;
}

export type BenchModule = PairedModule | CustomModule;
