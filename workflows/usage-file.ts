// One usage file's life (SPEC §1.3): people's actions arrive as Updates whose validators refuse an
// illegal transition before anything is written; each transition is recorded by one activity keyed
// on (file id, seq), so a retry records it once. The main loop runs the system's steps: processing
// an upload (byte ranges in parallel, each resumable and chunked), the usage rule and review mails after submit, a reminder timer,
// releasing the records for billing once accepted,
// reconciliation files, and closing the file when its last record closes. Ends on closed or deleted.
import { allHandlersFinished, ApplicationFailure, condition, patched, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { FileRefusal, ProcessRangeInput, ProcessUploadInput } from '../activities/usage-files';
import { terminalStatuses, type FileAction } from '../domain/file-states';
import {
  assertRecordsClosable, type CloseRecordsInput, type FileActionInput, type ReconcileInput, type UploadInput, closeRecordsUpdate, fileActionUpdates, nextStatus, personActions, progressQuery, reconcileUpdate,
  stateQuery, uploadUpdate, type Actor, type UsageFileInput, type UsageFileState,
} from './usage-file-messages';

export * from './usage-file-messages';

const acts = proxyActivities<Activities>({ startToCloseTimeout: '2m', retry: { maximumInterval: '10s' } });
const processing = proxyActivities<Activities>({
  startToCloseTimeout: '4h', heartbeatTimeout: '5s', retry: { initialInterval: '500ms', maximumInterval: '5s' },
});

/** Ranges processed at once: Postgres writes one range while Node validates another. */
const RANGE_CONCURRENCY = 3;

const now = () => new Date().toISOString();
const isIllegal = (err: unknown) => err instanceof ApplicationFailure && err.type === 'ILLEGAL_TRANSITION';

export async function usageFile(input: UsageFileInput): Promise<UsageFileState> {
  let state: UsageFileState = { fileId: input.fileId, status: input.status, seq: input.seq };
  const fileId = input.fileId;
  const work = { upload: null as null | { uploadNo: number; uploadedAt: string }, submitted: false, recons: [] as Array<{ id: string; actor: Actor }>, closeCheck: false, release: false };
  const reminder = { armed: false, dueAtMs: 0, sent: false };
  let busy = false;

  // One transition at a time: take the turn, then re-validate against the state the previous holder left.
  const locked = async <T>(fn: () => Promise<T>): Promise<T> => {
    while (busy) await condition(() => !busy);
    busy = true;
    try { return await fn(); } finally { busy = false; }
  };
  const act = (action: FileAction, actor: Actor | null, note = '') => locked(async () => {
    const toStatus = nextStatus(state.status, action);
    const seq = state.seq + 1;
    await acts.recordFileTransition({
      fileId, seq, action, fromStatus: state.status, toStatus, actorPartyId: actor?.partyId ?? null, actorKeyId: actor?.keyId ?? null, note, at: now(),
    });
    state = { ...state, status: toStatus, seq };
    if (toStatus === 'accepted') work.release = true;
    return state;
  });

  for (const action of personActions) {
    setHandler(fileActionUpdates[action], async ({ actor, note }: FileActionInput) => {
      const after = await act(action, actor, note ?? '');
      if (action === 'submit') work.submitted = true;
      return after;
    }, { validator: (_: FileActionInput) => void nextStatus(state.status, action) });
  }
  setHandler(uploadUpdate, async ({ actor, uploadNo }: UploadInput) => {
    const after = await act('upload', actor, `upload ${uploadNo}`);
    work.upload = { uploadNo, uploadedAt: now() };
    return after;
  }, { validator: (_: UploadInput) => void nextStatus(state.status, 'upload') });
  setHandler(closeRecordsUpdate, ({ actor, entries }: CloseRecordsInput) => locked(async () => {
    assertRecordsClosable(state.status);
    const { results, approvedLeft } = await acts.closeRecords({ fileId, entries, at: now(), actorPartyId: actor.partyId });
    work.closeCheck = approvedLeft === 0;
    return results;
  }), { validator: (_: CloseRecordsInput) => assertRecordsClosable(state.status) });
  setHandler(reconcileUpdate, ({ actor, reconciliationId }: ReconcileInput) => {
    work.recons.push({ id: reconciliationId, actor });
    return Promise.resolve(state);
  }, { validator: (_: ReconcileInput) => assertRecordsClosable(state.status) });
  setHandler(stateQuery, () => state);
  setHandler(progressQuery, () => ({
    processingUploadNo: work.upload?.uploadNo ?? null, reconciliationsQueued: work.recons.length, reminderSent: reminder.sent,
  }));

  const processUpload = async ({ uploadNo, uploadedAt }: { uploadNo: number; uploadedAt: string }) => {
    await act('startProcessing', null, `upload ${uploadNo}`);
    const job = { fileId, uploadNo, uploadedAt, chunkRows: input.chunkRows ?? 0 };
    const plan = await processing.planUpload({ ...job, rangeBytes: input.rangeBytes ?? 0 });
    const result = plan.refused ? { rows: 0, recordIdColumn: plan.recordIdColumn, refused: plan.refused, fileError: null }
      : plan.ranges ? await processRanges(job, plan.ranges, plan.recordIdColumn)
        : { fileError: null, ...await processing.processUpload(job) };
    if (!result.refused && result.duplicatesPossible !== false) await acts.markDuplicates({ fileId, uploadNo, recordIdColumn: result.recordIdColumn });
    await locked(async () => {
      nextStatus(state.status, 'markReady');
      const seq = state.seq + 1;
      const transition = { fileId, seq, fromStatus: state.status, actorPartyId: null, actorKeyId: null, note: result.refused?.message ?? `${result.rows} rows`, at: now() };
      const done = await acts.completeProcessing({ transition, uploadNo, refused: result.refused?.message ?? null, fileError: result.fileError });
      state = { ...state, status: done.status, seq };
    });
  };

  // Byte ranges of a CSV, RANGE_CONCURRENCY at a time; the first range that finds a whole-file fault names it.
  const processRanges = async (job: ProcessUploadInput, ranges: ReadonlyArray<ProcessRangeInput['range']>, recordIdColumn: string) => {
    const results: Array<{ rows: number; refused: FileRefusal | null }> = [];
    let next = 0;
    const runner = async () => {
      for (let i = next++; i < ranges.length; i = next++) results[i] = await processing.processCsvRange({ ...job, range: ranges[i]! });
    };
    await Promise.all(Array.from({ length: Math.min(RANGE_CONCURRENCY, ranges.length) }, runner));
    const fileError = results.find((r) => r.refused)?.refused ?? null;
    return { rows: results.reduce((n, r) => n + r.rows, 0), recordIdColumn, refused: fileError, fileError, duplicatesPossible: true };
  };

  const afterSubmit = async () => {
    const asOf = now();
    const rule = await acts.evaluateRule({ fileId, asOf });
    if (rule.accept) {
      await act('accept', null, rule.reason).catch((err: unknown) => { if (!isIllegal(err)) throw err; });
      return;
    }
    if (state.status !== 'pending') return;
    await acts.sendFileMail({ fileId, kind: 'review', seq: state.seq, asOf });
    Object.assign(reminder, { armed: rule.reminderAfterMs !== null, dueAtMs: Date.now() + (rule.reminderAfterMs ?? 0), sent: false });
  };

  const hasWork = () => work.release || work.upload !== null || work.submitted || work.recons.length > 0 || (work.closeCheck && state.status === 'accepted');
  while (!terminalStatuses.includes(state.status)) {
    const waiting = reminder.armed && !reminder.sent && state.status === 'pending' ? reminder : null;
    const wake = () => hasWork() || terminalStatuses.includes(state.status) || (waiting !== null && state.status !== 'pending');
    const woke = waiting ? await condition(wake, Math.max(1, waiting.dueAtMs - Date.now())) : (await condition(wake), true);
    if (waiting && !woke) {
      await acts.sendFileMail({ fileId, kind: 'reminder', seq: state.seq, asOf: now() });
      waiting.sent = true;
    } else if (work.release) {
      work.release = false;
      // Accepted records become billable (added after histories were recorded, hence the patch).
      if (patched('release-accepted-for-billing')) await acts.releaseForBilling({ fileId });
    } else if (work.upload) {
      await processUpload(work.upload);
      work.upload = null;
    } else if (work.submitted) {
      work.submitted = false;
      await afterSubmit();
    } else if (work.recons.length > 0) {
      const { id, actor } = work.recons[0]!;
      const { approvedLeft } = await acts.processReconciliation({ reconciliationId: id, at: now(), actorPartyId: actor.partyId });
      work.recons.shift();
      work.closeCheck = approvedLeft === 0;
    } else if (work.closeCheck && state.status === 'accepted') {
      work.closeCheck = false;
      await act('close', null, 'the last record was closed');
    }
  }
  await condition(allHandlersFinished);
  return state;
}
