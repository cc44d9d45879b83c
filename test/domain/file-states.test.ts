import { describe, expect, it } from 'vitest';
import { IllegalTransitionError } from '../../domain/errors';
import { allowedActions, fileActions, fileStatuses, transition, type FileAction, type FileStatus } from '../../domain/file-states';

// SPEC §1.3: every legal transition, and every illegal one, of the usage file.
const legal: Array<[FileStatus, FileAction, FileStatus]> = [
  ['draft', 'upload', 'uploading'],
  ['invalid', 'upload', 'uploading'],
  ['ready', 'upload', 'uploading'],
  ['rejected', 'upload', 'uploading'],
  ['uploading', 'startProcessing', 'processing'],
  ['uploaded', 'startProcessing', 'processing'],
  ['processing', 'markInvalid', 'invalid'],
  ['processing', 'markReady', 'ready'],
  ['ready', 'submit', 'pending'],
  ['pending', 'accept', 'accepted'],
  ['pending', 'reject', 'rejected'],
  ['accepted', 'close', 'closed'],
  ['draft', 'delete', 'deleted'],
  ['invalid', 'delete', 'deleted'],
  ['ready', 'delete', 'deleted'],
];

const illegal = fileStatuses.flatMap((from) =>
  (Object.keys(fileActions) as FileAction[])
    .filter((action) => !legal.some(([f, a]) => f === from && a === action))
    .map((action) => [from, action] as const),
);

describe('usage file state machine', () => {
  it.each(legal)('%s --%s--> %s', (from, action, to) => {
    expect(transition(from, action)).toBe(to);
  });

  it.each(illegal)('refuses, in state %s, the action %s', (from, action) => {
    expect(() => transition(from, action)).toThrow(IllegalTransitionError);
    try {
      transition(from, action);
    } catch (err) {
      expect(err).toMatchObject({ code: 'ILLEGAL_TRANSITION', currentState: from, action });
    }
  });

  it('has exactly the transitions of the table', () => {
    expect(illegal.length + legal.length).toBe(fileStatuses.length * Object.keys(fileActions).length);
  });

  it.each([
    ['draft', ['upload', 'delete']],
    ['ready', ['upload', 'submit', 'delete']],
    ['pending', ['accept', 'reject']],
    ['processing', []],
    ['closed', []],
    ['deleted', []],
  ] as const)('offers people in %s: %j', (status, actions) => {
    expect(allowedActions(status)).toEqual(actions);
  });
});
