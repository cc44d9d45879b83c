import type { Database } from '../db/client';
import { createMailer } from '../lib/mail';
import { feedCollectionActivities } from './feed-collection';
import { billingActivities } from './billing';
import { ledgerActivities } from './ledger';
import { mediationActivities } from './mediation';
import { reconciliationActivities } from './reconciliation';
import { reviewActivities, type MailDeps } from './review';
import { usageFileActivities } from './usage-files';
import { walletActivities } from './wallets';
import { whatIfActivities } from './what-if';

export interface ActivityDeps {
  database: Database;
  /** Mail and link settings; unset: mails are kept in the outbox only, links signed with the default secret. */
  mail?: MailDeps;
}

export const defaultMailDeps = (): MailDeps => ({
  mailer: createMailer(undefined, ''), publicUrl: 'http://127.0.0.1:3000', linkSecret: 'meterflow-development-link-secret', linkTtlDays: 14,
});

/** The one place activities are built from explicit dependencies (called by worker.ts and tests). */
export function createActivities({ database, mail = defaultMailDeps() }: ActivityDeps) {
  return {
    ...usageFileActivities(database),
    ...reviewActivities(database, mail),
    ...reconciliationActivities(database),
    ...whatIfActivities({ database }),
    ...ledgerActivities({ database }),
    ...walletActivities({ database }, mail),
    ...mediationActivities(database),
    ...feedCollectionActivities(database),
    ...billingActivities({ database }, mail),
  };
}

export type Activities = ReturnType<typeof createActivities>;
