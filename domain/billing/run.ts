// A billing run's vocabulary: its phases, and the statuses an account moves through in it
// (pending -> drafted | empty | failed -> finalised | parked; failed and parked may be retried).

export const RUN_PHASES = ['selecting', 'drafting', 'awaiting_approval', 'finalising', 'completed'] as const;
export type RunPhase = (typeof RUN_PHASES)[number];

export const RUN_ACCOUNT_STATUSES = ['pending', 'drafted', 'empty', 'failed', 'parked', 'finalised'] as const;
export type RunAccountStatus = (typeof RUN_ACCOUNT_STATUSES)[number];
export type RunCounts = Record<RunAccountStatus, number>;
