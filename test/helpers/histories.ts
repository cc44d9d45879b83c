import { writeFileSync } from 'node:fs';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { root } from '../../lib/processes';

// Recorded histories under test/workflows/histories/ are replayed against the current workflow code
// on every run (test/workflows/replay.test.ts), so a change that breaks running workflows fails CI.
// `RECORD_HISTORIES=1 npm test` rewrites them from the tests that call this. They are stored as
// the protobuf encoding of temporal.api.history.v1.History, named after the workflow id's type.
export async function recordHistory(name: string, handle: WorkflowHandle): Promise<void> {
  if (!process.env.RECORD_HISTORIES) return;
  const history = await handle.fetchHistory();
  writeFileSync(`${root}test/workflows/histories/${name}.binpb`, temporal.api.history.v1.History.encode(history).finish());
}
