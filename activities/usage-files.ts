import type { Database } from '../db/client';
import { recordTransition, type TransitionRecord } from '../db/queries/usage-files';

export function usageFileActivities({ db }: Pick<Database, 'db'>) {
  return {
    /** Idempotent: keyed on (file id, seq); a retry records nothing twice. */
    async recordFileTransition(t: TransitionRecord): Promise<{ applied: boolean }> {
      return recordTransition(db, t);
    },
  };
}
