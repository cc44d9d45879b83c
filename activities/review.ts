import { ApplicationFailure } from '@temporalio/common';
import { and, eq, isNull } from 'drizzle-orm';
import { evaluateUsageRule, type RuleOutcome } from '../domain/usage-rules';
import type { Database } from '../db/client';
import { findContract, findUsageRule } from '../db/queries/catalog';
import { findUsageFile } from '../db/queries/usage-files';
import { mailOutbox } from '../db/schema';
import { signLink } from '../lib/link-token';
import type { Mailer } from '../lib/mail';

// The provider side of a submitted file: the usage rule that may accept it at once, and the
// review mails (request with signed accept/reject links, reminder) sent through the outbox.

export interface MailDeps {
  mailer: Mailer;
  publicUrl: string;
  linkSecret: string;
  linkTtlDays: number;
}

export type MailKind = 'review' | 'reminder';

export function reviewActivities({ db, sql }: Pick<Database, 'db' | 'sql'>, mail: MailDeps) {
  return {
    /** Pure read: whether the provider's rule accepts the file now, and when to remind. */
    async evaluateRule(input: { fileId: string; asOf: string }): Promise<RuleOutcome & { reminderAfterMs: number | null }> {
      const file = await findUsageFile(db, input.fileId);
      if (!file?.productId) throw ApplicationFailure.nonRetryable(`usage file ${input.fileId} has no product`, 'NOT_FOUND');
      const rule = await findUsageRule(db, file.productId, file.providerId);
      const [totals] = await sql<Array<{ n: number; total: string; oldest: string | null }>>`
        select count(*)::int as n, coalesce(sum(amount), 0)::text as total,
               to_char(min(start_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as oldest
        from usage_records where file_id = ${file.id} and upload_no = ${file.currentUploadNo}`;
      const outcome = evaluateUsageRule(
        rule ? { autoAccept: rule.autoAccept, maxTotalAmount: rule.maxTotalAmount, maxRecords: rule.maxRecords, maxAgeDays: rule.maxAgeDays } : null,
        { recordCount: totals!.n, totalAmount: totals!.total, oldestStartAt: totals!.oldest },
        input.asOf,
      );
      const days = rule?.reminderAfterDays;
      return { ...outcome, reminderAfterMs: days ? Math.round(Number(days) * 86_400_000) : null };
    },

    /**
     * Mails the provider about a pending file, with signed accept and reject links. The outbox row
     * (file, kind, seq) makes a retried activity send at most once after a recorded send.
     */
    async sendFileMail(input: { fileId: string; kind: MailKind; seq: number; asOf: string }): Promise<{ sent: boolean; recipient: string }> {
      const file = await findUsageFile(db, input.fileId);
      const contract = file?.contractId ? await findContract(db, file.contractId) : undefined;
      if (!file || !contract) throw ApplicationFailure.nonRetryable(`usage file ${input.fileId} has no contract`, 'NOT_FOUND');
      const recipient = contract.providerEmail;
      if (file.environment === 'preview') return { sent: false, recipient }; // the provider never sees preview files
      const expiresAtSeconds = Math.floor(Date.parse(input.asOf) / 1000 + mail.linkTtlDays * 86_400);
      const link = (action: 'accept' | 'reject') =>
        `${mail.publicUrl}/links/usage-files/${signLink(mail.linkSecret, { fileId: file.id, action, recipient, expiresAtSeconds })}`;
      const subject = `${input.kind === 'reminder' ? 'Reminder: ' : ''}usage file ${file.id} "${file.name}" waits for your review`;
      const text = [
        `${input.kind === 'reminder' ? 'Reminder: the' : 'The'} usage file ${file.id} (${file.name}, ${file.periodFrom.toISOString()} to ${file.periodTo.toISOString()}, ${file.currency}) was submitted for your review.`,
        '', `Accept: ${link('accept')}`, `Reject: ${link('reject')}`, '',
        `Each link opens a confirmation page; it is valid once, until ${new Date(expiresAtSeconds * 1000).toISOString()}.`,
      ].join('\n');
      await db.insert(mailOutbox).values({ fileId: file.id, kind: input.kind, seq: input.seq, recipient, subject, body: text }).onConflictDoNothing();
      const [pending] = await db.select().from(mailOutbox).where(and(
        eq(mailOutbox.fileId, file.id), eq(mailOutbox.kind, input.kind), eq(mailOutbox.seq, input.seq), isNull(mailOutbox.sentAt),
      ));
      if (!pending || !mail.mailer.sends) return { sent: false, recipient };
      await mail.mailer.send({ to: recipient, subject: pending.subject, text: pending.body });
      await db.update(mailOutbox).set({ sentAt: new Date() })
        .where(and(eq(mailOutbox.fileId, file.id), eq(mailOutbox.kind, input.kind), eq(mailOutbox.seq, input.seq)));
      return { sent: true, recipient };
    },
  };
}
