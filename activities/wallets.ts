import type { Database } from '../db/client';
import { applyWalletRequest, type WalletRequest } from '../db/queries/wallets';
import { asActivityFailure } from './ledger';

// Wallet transactions as activities (prepaid usage orders debited at once, SPEC §2.5). The transaction
// id is the idempotency key: a retried activity returns the stored transaction and changes nothing.

export function walletActivities({ database }: { database: Database }) {
  return {
    /** Applies one wallet transaction; refusals (INSUFFICIENT_FUNDS, ...) are non-retryable failures. */
    async applyWalletTransaction({ walletId, request, effectiveAt }: { walletId: string; request: WalletRequest; effectiveAt: string }) {
      try {
        const result = await applyWalletRequest(database.sql, walletId, request, effectiveAt);
        return {
          applied: result.applied,
          transactionId: result.transaction.id,
          balanceAfter: result.transaction.balanceAfter,
          topUpTransactionId: result.topUp?.id ?? null,
        };
      } catch (err) {
        throw asActivityFailure(err);
      }
    },
  };
}
