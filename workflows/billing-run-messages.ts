// The billing run's messages (Updates and Query), apart from its body so the API can import them.
import { ApplicationFailure, defineQuery, defineUpdate } from '@temporalio/workflow';
import type { RunCounts, RunPhase } from '../domain/billing';

export interface BillingRunInput {
  /** Absent when a schedule starts the run: the run id is then the workflow id's business part. */
  runId?: string;
  ownerPartyId: string;
  /**
   * Local date the invoices are built on (billing day + 2). Absent when scheduled: the run bills each
   * account whose build date began in its own time zone in the 24 hours up to the schedule's time.
   */
  runDate?: string;
  /** Seconds the drafts wait for approval; 0 finalises at once. */
  graceSeconds: number;
  /** Where a scheduled run mails its approval request. */
  notifyEmail?: string;
  /** Accounts per activity (hundreds) and activities at once. */
  batchSize: number;
  parallelism: number;
  /** After completion, how long failed accounts may still be retried in this workflow (default 30 days). */
  retryWindowSeconds?: number;
  /** Set when the run continues as new. */
  resume?: BillingRunProgress;
}

export interface BillingRunProgress {
  runId: string;
  phase: RunPhase;
  accounts: number;
  batches: number;
  batchesDrafted: number;
  batchesFinalised: number;
  /** Per batch: the statuses of its accounts after its last step. */
  counts: RunCounts;
  approvedBy: string | null;
}

export interface Approver { partyId: string; keyId: string }

export const approveUpdate = defineUpdate<BillingRunProgress, [Approver]>('approve');
export const retryFailedUpdate = defineUpdate<{ batches: number[] }, [Approver]>('retryFailed');
export const progressQuery = defineQuery<BillingRunProgress>('progress');

export function refuse(action: string, phase: RunPhase, why: string): never {
  throw ApplicationFailure.create({
    type: 'ILLEGAL_TRANSITION', nonRetryable: true, message: `Cannot ${action} billing run: ${why}`, details: [{ action, currentState: phase }],
  });
}
