import type { Client } from '@temporalio/client';
import type postgres from 'postgres';
import type { Check } from './types';

// Guardrails every run checks, whatever the modules: the Temporal limits a workflow must stay well
// inside (history length, payload size), read from the histories of the bench's own workflow runs,
// and duplicates by SQL.

export const MAX_HISTORY_EVENTS = 10_240;
export const MAX_PAYLOAD_BYTES = 256 * 1024;

/** Bytes of every payload in one history event (inputs, results, heartbeat details, Update arguments). */
export function payloadBytes(node: unknown): number {
  if (!node || typeof node !== 'object' || node instanceof Uint8Array) return 0;
  let total = 0;
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    if (key === 'payloads' && Array.isArray(value)) total += value.reduce((n: number, p: { data?: Uint8Array } | null) => n + (p?.data?.byteLength ?? 0), 0);
    else total += payloadBytes(value);
  }
  return total;
}

export async function historyChecks(temporal: Client, workflowIds: readonly string[]): Promise<Check[]> {
  let events = 0;
  let payload = 0;
  let longest = '';
  for (const workflowId of new Set(workflowIds)) {
    const history = await temporal.workflow.getHandle(workflowId).fetchHistory();
    const list = history.events ?? [];
    if (list.length > events) [events, longest] = [list.length, workflowId];
    for (const event of list) payload = Math.max(payload, payloadBytes(event));
  }
  const runs = new Set(workflowIds).size;
  return [
    { name: 'history events per workflow run', ok: events <= MAX_HISTORY_EVENTS, detail: `largest ${events} (${longest || 'none'}) of ${runs} runs; limit ${MAX_HISTORY_EVENTS}` },
    { name: 'payload size', ok: payload <= MAX_PAYLOAD_BYTES, detail: `largest ${payload} bytes; limit ${MAX_PAYLOAD_BYTES}` },
  ];
}

/** Rows of `table` sharing `key` (an SQL expression), restricted by `where`: must be none. */
export async function duplicateCheck(sql: postgres.Sql, name: string, table: string, key: string, where = 'true'): Promise<Check> {
  const [row] = await sql.unsafe<Array<{ n: number }>>(`select count(*)::int as n from (select ${key} from ${table} where ${where} group by ${key} having count(*) > 1) d`);
  return { name, ok: row!.n === 0, detail: `${row!.n} duplicated keys (${key}) in ${table}` };
}
