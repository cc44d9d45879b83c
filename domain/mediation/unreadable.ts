// A raw row the feed cannot turn into a canonical record (a line that does not parse, a required
// field missing, a date that does not read): quarantined as INVALID_RECORD before any gate, with
// every problem in the message, so the operator sees what to fix in the feed or the file.
import type { MediationResult } from './result';

/** The quarantine result of an unreadable row; `problems` are "field: message" texts. */
export function unreadableResult(recordId: string, processedAt: string, problems: readonly string[]): MediationResult {
  const message = problems.join('; ');
  return {
    recordId, status: 'QUARANTINED', reason: 'INVALID_RECORD', message, flags: [], category: '',
    serviceId: null, subscriptionId: null, accountId: null, period: null, rating: null, duplicateKey: '', ownership: null, candidate: null,
    trace: [{ phase: 'categorise', at: processedAt, outcome: 'failed', code: 'INVALID_RECORD', detail: message }],
  };
}
