import { ApplicationFailure } from '@temporalio/common';
import { DomainError } from '../domain/errors';
import { postingDelta, type IntendedEntry } from '../domain/ledger';
import type { Database } from '../db/client';
import { insertPostings, loadScopePostings, type LedgerScope } from '../db/queries/ledger';

// Posting jobs (DESIGN.md invariant 2): compute what *should* be posted for a scope, load what is,
// post only the difference. Running it again posts nothing; a retry after a crash posts the rest.

export interface PostLedgerDeltaInput {
  scope: LedgerScope;
  /** One intended entry per business identity in the scope; an entry missing here is reversed. */
  shouldBe: IntendedEntry[];
}

/** Instants as the ledger stores them (millisecond ISO), so an unchanged entry compares equal. */
const normalised = (entry: IntendedEntry): IntendedEntry => ({ ...entry, effectiveAt: new Date(entry.effectiveAt).toISOString() });

/** Business refusals are final; anything else (the database) is retried by Temporal. */
export function asActivityFailure(err: unknown): unknown {
  if (err instanceof DomainError) return ApplicationFailure.nonRetryable(err.message, err.code, err.details);
  return err;
}

export function ledgerActivities({ database }: { database: Database }) {
  const { sql } = database;
  return {
    /** Posts the difference between `shouldBe` and the scope's postings; returns the keys posted. */
    async postLedgerDelta({ scope, shouldBe }: PostLedgerDeltaInput): Promise<{ posted: string[] }> {
      try {
        return await sql.begin(async (tx) => {
          const already = await loadScopePostings(tx, scope);
          const delta = postingDelta(shouldBe.map(normalised), already);
          return { posted: await insertPostings(tx, delta) };
        });
      } catch (err) {
        throw asActivityFailure(err);
      }
    },
  };
}
