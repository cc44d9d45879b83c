import { Context } from '@temporalio/activity';
import type { Database } from '../db/client';
import { applyWalletRequest, markWalletMailSent, nextWalletMail, type WalletRequest } from '../db/queries/wallets';
import { asActivityFailure } from './ledger';
import type { MailDeps } from './review';

// Wallet transactions as activities (prepaid usage orders debited at once, SPEC §2.5), and the relay
// of the LOW_BALANCE mails that transactions write to mail_outbox. The transaction id is the
// idempotency key: a retried activity returns the stored transaction and changes nothing.

export function walletActivities({ database }: { database: Database }, mail: MailDeps) {
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

    /**
     * Sends up to `limit` pending wallet mails, oldest first, each in its own transaction that holds
     * the mail's row while it is sent and records it sent (mail_outbox.sent_at): a retry or a
     * concurrent relay never sends a recorded mail again. Without SMTP the mails stay in the outbox.
     */
    async sendWalletMails({ limit }: { limit: number }): Promise<{ sent: number }> {
      if (!mail.mailer.sends) return { sent: 0 };
      const sendNext = () => database.sql.begin(async (tx) => {
        const next = await nextWalletMail(tx);
        if (!next) return false;
        await mail.mailer.send({ to: next.recipient, subject: next.subject, text: next.body });
        await markWalletMailSent(tx, next);
        return true;
      });
      let sent = 0;
      while (sent < limit && (await sendNext())) {
        sent++;
        Context.current().heartbeat(sent);
      }
      return { sent };
    },
  };
}
