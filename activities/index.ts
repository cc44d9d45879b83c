import type { Database } from '../db/client';
import { usageFileActivities } from './usage-files';

export interface ActivityDeps {
  database: Database;
}

/** The one place activities are built from explicit dependencies (called by worker.ts and tests). */
export function createActivities({ database }: ActivityDeps) {
  return {
    ...usageFileActivities({ db: database.db }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
