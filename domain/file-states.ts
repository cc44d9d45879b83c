import { IllegalTransitionError } from './errors';

// The usage file state machine of SPEC §1.3, as a table. Every change goes through `transition`,
// which is what the workflow's Update validators call: an illegal action changes nothing.

export const fileStatuses = [
  'draft', 'uploading', 'uploaded', 'processing', 'invalid', 'ready',
  'rejected', 'pending', 'accepted', 'closed', 'deleted',
] as const;
export type FileStatus = (typeof fileStatuses)[number];

export type FileActor = 'vendor' | 'provider' | 'system';

interface Rule {
  from: readonly FileStatus[];
  to: FileStatus;
  by: FileActor;
}

export const fileActions = {
  upload: { from: ['draft', 'invalid', 'ready', 'rejected'], to: 'uploading', by: 'vendor' },
  startProcessing: { from: ['uploading', 'uploaded'], to: 'processing', by: 'system' },
  markInvalid: { from: ['processing'], to: 'invalid', by: 'system' },
  markReady: { from: ['processing'], to: 'ready', by: 'system' },
  submit: { from: ['ready'], to: 'pending', by: 'vendor' },
  accept: { from: ['pending'], to: 'accepted', by: 'provider' },
  reject: { from: ['pending'], to: 'rejected', by: 'provider' },
  close: { from: ['accepted'], to: 'closed', by: 'provider' },
  delete: { from: ['draft', 'invalid', 'ready'], to: 'deleted', by: 'vendor' },
} as const satisfies Record<string, Rule>;

export type FileAction = keyof typeof fileActions;

export const terminalStatuses: readonly FileStatus[] = ['closed', 'deleted'];

/** The state `action` leads to from `current`; throws IllegalTransitionError when not allowed. */
export function transition(current: FileStatus, action: FileAction): FileStatus {
  const rule: Rule = fileActions[action];
  if (!rule.from.includes(current)) {
    throw new IllegalTransitionError(
      action,
      current,
      `Cannot ${action} a usage file in state ${current}; allowed from ${rule.from.join(', ')}`,
    );
  }
  return rule.to;
}

/** Which actions a person may take now (for the API and the UI). */
export function allowedActions(current: FileStatus): FileAction[] {
  return (Object.keys(fileActions) as FileAction[]).filter((a) => {
    const rule: Rule = fileActions[a];
    return rule.by !== 'system' && rule.from.includes(current);
  });
}
