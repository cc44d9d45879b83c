import { ApplicationFailure } from '@temporalio/common';
import { compareRatings, mergeWhatIfResults } from '../domain/rating';
import type { Database } from '../db/client';
import {
  assignWhatIfChunks, completeWhatIfRun, findPartial, findWhatIfRun, insertPartial, listPartials, loadWhatIfChunk, snapshotSelection,
} from '../db/queries/what-if';

export function whatIfActivities({ database }: { database: Database }) {
  const { db, sql } = database;

  async function loadRun(runId: string) {
    const run = await findWhatIfRun(db, runId);
    if (!run) throw ApplicationFailure.nonRetryable(`what-if run ${runId} not found`, 'NOT_FOUND');
    // Names are never integer-like (the API refuses them), so the object keeps the baseline first.
    const plansByName = Object.fromEntries(run.plans.map((chain) => [chain.name, chain.plans]));
    return { ...run, plansByName, options: { asOf: run.asOf.toISOString(), timeZone: run.timeZone } };
  }

  return {
    /** Snapshots a usage-file selection, then numbers the chunks (both idempotent). */
    async planWhatIfChunks({ runId, chunkSize }: { runId: string; chunkSize: number }) {
      const run = await loadRun(runId);
      if (run.selection.kind !== 'records') await snapshotSelection(sql, runId, run.selection);
      return assignWhatIfChunks(sql, runId, chunkSize);
    },

    /** Rates one chunk under every plan of the run; a chunk already rated is not rated again. */
    async rateWhatIfChunk({ runId, chunkNo }: { runId: string; chunkNo: number }): Promise<{ records: number }> {
      const done = await findPartial(db, runId, chunkNo);
      if (done) return { records: done.records };
      const run = await loadRun(runId);
      const records = await loadWhatIfChunk(db, runId, chunkNo);
      const result = compareRatings(records, run.plansByName, run.options);
      await insertPartial(db, runId, chunkNo, records.length, result);
      return { records: records.length };
    },

    /** Merges the chunks into the run's result (an empty selection compares nothing, with zero totals). */
    async finishWhatIf({ runId }: { runId: string }): Promise<{ totalRecords: number }> {
      const run = await loadRun(runId);
      const partials = await listPartials(db, runId);
      const result = partials.length > 0 ? mergeWhatIfResults(partials.map((p) => p.result)) : compareRatings([], run.plansByName, run.options);
      await completeWhatIfRun(db, runId, result, new Date());
      return { totalRecords: partials.reduce((n, p) => n + p.records, 0) };
    },
  };
}
