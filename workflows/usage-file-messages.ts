// The messages of the usage-file workflow (its Updates and Queries), apart from its body so the
// API can import them; plain JSON in and out.
import { ApplicationFailure, defineQuery, defineUpdate } from '@temporalio/workflow';
import type { CloseEntry, CloseResult } from '../activities/reconciliation';
import { IllegalTransitionError } from '../domain/errors';
import { transition, type FileAction, type FileStatus } from '../domain/file-states';

export interface UsageFileInput {
  fileId: string;
  /** State and event sequence the file already has (a new file: draft, 0). */
  status: FileStatus;
  seq: number;
  /** Rows per committed chunk while processing (default 50,000; the crash test uses small chunks). */
  chunkRows?: number;
  /** Bytes per range of a CSV processed in parallel (default 4 MiB; tests use small ranges). */
  rangeBytes?: number;
}

export interface Actor { partyId: string; keyId: string }
export interface FileActionInput { actor: Actor; note?: string }
export interface UploadInput { actor: Actor; uploadNo: number }
export interface CloseRecordsInput { actor: Actor; entries: CloseEntry[] }
export interface ReconcileInput { actor: Actor; reconciliationId: string }

export interface UsageFileState { fileId: string; status: FileStatus; seq: number }
export interface UsageFileProgress { processingUploadNo: number | null; reconciliationsQueued: number; reminderSent: boolean }

export const personActions = ['submit', 'accept', 'reject', 'delete'] as const satisfies readonly FileAction[];
export type PersonAction = (typeof personActions)[number];

export const submitUpdate = defineUpdate<UsageFileState, [FileActionInput]>('submit');
export const acceptUpdate = defineUpdate<UsageFileState, [FileActionInput]>('accept');
export const rejectUpdate = defineUpdate<UsageFileState, [FileActionInput]>('reject');
export const deleteUpdate = defineUpdate<UsageFileState, [FileActionInput]>('delete');
export const fileActionUpdates = { submit: submitUpdate, accept: acceptUpdate, reject: rejectUpdate, delete: deleteUpdate };
export const uploadUpdate = defineUpdate<UsageFileState, [UploadInput]>('upload');
export const closeRecordsUpdate = defineUpdate<CloseResult[], [CloseRecordsInput]>('closeRecords');
export const reconcileUpdate = defineUpdate<UsageFileState, [ReconcileInput]>('reconcile');

export const stateQuery = defineQuery<UsageFileState>('state');
export const progressQuery = defineQuery<UsageFileProgress>('progress');

/** The next state, or a non-retryable ILLEGAL_TRANSITION failure carrying the current state. */
export function nextStatus(current: FileStatus, action: FileAction): FileStatus {
  try {
    return transition(current, action);
  } catch (err) {
    if (!(err instanceof IllegalTransitionError)) throw err;
    throw ApplicationFailure.create({ type: err.code, message: err.message, details: [{ action, currentState: current }], nonRetryable: true });
  }
}

/** Records may be closed (or their billing ids edited) while the file is accepted. */
export function assertRecordsClosable(current: FileStatus): void {
  if (current === 'accepted') return;
  throw ApplicationFailure.create({
    type: 'ILLEGAL_TRANSITION', nonRetryable: true, details: [{ action: 'close', currentState: current }],
    message: `Cannot close records of a usage file in state ${current}; allowed from accepted`,
  });
}
