// One usage file's life (SPEC §1.3): people's actions arrive as Updates whose validators refuse an
// illegal transition before anything is written; each accepted action is recorded by one activity
// keyed on (file id, seq), so a retried activity records it once. Ends when the file is closed or deleted.
import {
  ApplicationFailure, allHandlersFinished, condition, defineQuery, defineUpdate, proxyActivities, setHandler,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { IllegalTransitionError } from '../domain/errors';
import { terminalStatuses, transition, type FileAction, type FileStatus } from '../domain/file-states';

const { recordFileTransition } = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { maximumInterval: '10s' },
});

export interface UsageFileInput {
  fileId: string;
  /** State and event sequence the file already has (a new file: draft, 0). */
  status: FileStatus;
  seq: number;
}

export interface FileActionInput {
  actor: { partyId: string; keyId: string };
  note?: string;
}

export interface UsageFileState {
  fileId: string;
  status: FileStatus;
  seq: number;
}

export const personActions = ['submit', 'accept', 'reject', 'delete'] as const satisfies readonly FileAction[];
export type PersonAction = (typeof personActions)[number];

export const submitUpdate = defineUpdate<UsageFileState, [FileActionInput]>('submit');
export const acceptUpdate = defineUpdate<UsageFileState, [FileActionInput]>('accept');
export const rejectUpdate = defineUpdate<UsageFileState, [FileActionInput]>('reject');
export const deleteUpdate = defineUpdate<UsageFileState, [FileActionInput]>('delete');
export const fileActionUpdates = { submit: submitUpdate, accept: acceptUpdate, reject: rejectUpdate, delete: deleteUpdate };

export const stateQuery = defineQuery<UsageFileState>('state');

/** The next state, or a non-retryable ILLEGAL_TRANSITION failure carrying the current state. */
function nextStatus(current: FileStatus, action: FileAction): FileStatus {
  try {
    return transition(current, action);
  } catch (err) {
    if (!(err instanceof IllegalTransitionError)) throw err;
    throw ApplicationFailure.create({
      type: err.code,
      message: err.message,
      details: [{ action, currentState: current }],
      nonRetryable: true,
    });
  }
}

export async function usageFile(input: UsageFileInput): Promise<UsageFileState> {
  let state: UsageFileState = { fileId: input.fileId, status: input.status, seq: input.seq };
  let busy = false;

  const act = async (action: PersonAction, { actor, note = '' }: FileActionInput) => {
    // One transition at a time: take the turn synchronously, then re-validate against the state
    // the previous holder left (both validators may have passed against the same old state).
    while (busy) await condition(() => !busy);
    busy = true;
    try {
      const toStatus = nextStatus(state.status, action);
      const seq = state.seq + 1;
      await recordFileTransition({
        fileId: state.fileId, seq, action, fromStatus: state.status, toStatus,
        actorPartyId: actor.partyId, actorKeyId: actor.keyId, note, at: new Date().toISOString(),
      });
      state = { ...state, status: toStatus, seq };
      return state;
    } finally {
      busy = false;
    }
  };

  for (const action of personActions) {
    setHandler(fileActionUpdates[action], (args: FileActionInput) => act(action, args), {
      validator: (_args: FileActionInput) => void nextStatus(state.status, action),
    });
  }
  setHandler(stateQuery, () => state);

  await condition(() => terminalStatuses.includes(state.status));
  await condition(allHandlersFinished);
  return state;
}
