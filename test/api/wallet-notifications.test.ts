import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailer } from '../../lib/mail';
import { waitFor } from '../../lib/processes';
import { ensureWalletNotificationSchedule } from '../../lib/schedules';
import { startSmtpSink, type SmtpSink } from '../../lib/smtp-sink';
import { walletNotifications } from '../../workflows/wallet-notifications';
import { walletNotificationsScheduleId } from '../../workflows/shared';
import { apiClient } from '../fixtures/api';
import { expectLedgerBalanced } from '../fixtures/ledger';
import { aPartyWithKey } from '../fixtures/parties';
import { useIntegration } from '../helpers/integration';

// Low-balance notifications mailed over real SMTP (an in-process sink): a debit crossing the
// wallet's threshold writes its mail to the outbox in the wallet transaction; the worker's schedule
// runs the walletNotifications workflow, which sends it once; retries of the debit or of the relay
// send nothing more.

let smtp: SmtpSink;
beforeAll(async () => { smtp = await startSmtpSink(); });
afterAll(async () => { await smtp.close(); });

const ctx = useIntegration({
  mail: () => ({ mailer: createMailer(smtp.url, 'Meterflow <mf@test>'), publicUrl: 'http://meterflow.test', linkSecret: 'meterflow-development-link-secret', linkTtlDays: 14 }),
});
const api = () => apiClient(ctx.app);
const idempotent = (auth: Record<string, string>, key: string = randomUUID()) => ({ ...auth, 'idempotency-key': key });
/** Runs the relay once, as the schedule does, and says how many mails it sent. */
const relay = async () => (await ctx.temporal.workflow.execute(walletNotifications, { taskQueue: ctx.taskQueue, workflowId: `wallet-notifications-test-${randomUUID()}`, args: [{}] })).sent;
const mailsTo = (address: string) => smtp.mails.filter((m) => m.to.includes(address));

async function aWallet(body: Record<string, unknown>) {
  const bm = await aPartyWithKey(ctx.database.db, 'internal', 'billing_manager');
  const owner = await aPartyWithKey(ctx.database.db, 'vendor');
  const wallet = await api().json(await api().call('POST', '/v1/wallets', bm.auth, { ownerPartyId: owner.party.id, currency: 'EUR', lowBalanceThreshold: '5.00', ...body }), 201);
  await api().json(await api().call('POST', `/v1/wallets/${wallet.id}/top-ups`, idempotent(bm.auth), { amount: '12.00' }), 201);
  return { id: wallet.id as string, bm, owner };
}

describe('low-balance notifications by mail', () => {
  it('a debit crossing the threshold mails one LOW_BALANCE message with the balance and threshold to the wallet address; retries send nothing more', async () => {
    const address = `wallet-${randomUUID()}@customer.test`;
    const w = await aWallet({});
    const set = await api().json(await api().call('PATCH', `/v1/wallets/${w.id}`, w.bm.auth, { notifyEmail: address }), 200);
    expect(set).toMatchObject({ id: w.id, notifyEmail: address, lowBalanceThreshold: '5.00' });

    const key = `order-${randomUUID()}`;
    const order = await api().json(await api().call('POST', `/v1/wallets/${w.id}/debits`, idempotent(w.owner.auth, key), { amount: '10.00' }), 201);
    expect(order.balance).toBe('2.00');

    const schedule = await ensureWalletNotificationSchedule(ctx.temporal, { intervalSeconds: 3_600, taskQueue: ctx.taskQueue });
    try {
      expect(schedule.scheduleId).toBe(walletNotificationsScheduleId(ctx.taskQueue));
      await schedule.trigger();
      const text = (await smtp.waitFor((m) => m.to.includes(address))).text.replace(/\r?\n(?=[ \t])/g, ''); // header lines unfolded
      expect(text).toContain(`Subject: Low balance: prepaid wallet ${w.id} has 2.00 EUR left`);
      expect(text).toContain('Balance: 2.00 EUR');
      expect(text).toContain('Threshold: 5.00 EUR');
      expect(text).toContain(`Transaction: ${key}`);
    } finally {
      await schedule.delete();
    }
    // The sink has the mail before the relay's transaction records it as sent: wait for that commit.
    const outboxRow = async () => (await ctx.database.sql`
      select m.recipient, m.sent_at is not null as sent, e.code, e.delivered_at is not null as delivered
      from mail_outbox m join wallet_events e on e.id = m.seq where m.file_id = ${w.id}`)[0];
    await waitFor('the relay to record the mail as sent', async () => (await outboxRow())?.sent === true, undefined, 10_000);
    const outbox = await outboxRow();
    expect(outbox).toEqual({ recipient: address, sent: true, code: 'LOW_BALANCE', delivered: true });

    // The relay again, the same order again (same Idempotency-Key), a debit staying below the threshold: nothing more.
    expect(await relay()).toBe(0);
    expect((await api().call('POST', `/v1/wallets/${w.id}/debits`, idempotent(w.owner.auth, key), { amount: '10.00' })).status).toBe(200);
    await api().json(await api().call('POST', `/v1/wallets/${w.id}/debits`, idempotent(w.owner.auth), { amount: '1.00' }), 201);
    expect(await relay()).toBe(0);
    expect(mailsTo(address)).toHaveLength(1);
    await expectLedgerBalanced(ctx.database.sql);
  });

  it('a wallet without an address records the notification and mails nothing; clearing the address stops the mails', async () => {
    const w = await aWallet({});
    await api().json(await api().call('POST', `/v1/wallets/${w.id}/debits`, idempotent(w.owner.auth), { amount: '10.00' }), 201);
    const events = await ctx.database.sql`select code from wallet_events where wallet_id = ${w.id}`;
    expect(events.map((e) => e.code)).toEqual(['LOW_BALANCE']);
    expect(await ctx.database.sql`select 1 from mail_outbox where file_id = ${w.id}`).toHaveLength(0);

    const address = `cleared-${randomUUID()}@customer.test`;
    const other = await aWallet({ notifyEmail: address });
    expect((await api().json(await api().call('GET', `/v1/wallets/${other.id}`, other.owner.auth), 200)).notifyEmail).toBe(address);
    expect((await api().json(await api().call('PATCH', `/v1/wallets/${other.id}`, other.bm.auth, { notifyEmail: null }), 200)).notifyEmail).toBeNull();
    await api().json(await api().call('POST', `/v1/wallets/${other.id}/debits`, idempotent(other.owner.auth), { amount: '10.00' }), 201);
    expect(await ctx.database.sql`select 1 from mail_outbox where file_id = ${other.id}`).toHaveLength(0);
  });

  it('refuses a bad address (400 with its path), ops and owners (403), another party (404), and changes nothing', async () => {
    const w = await aWallet({ notifyEmail: 'billing@customer.test' });
    const bad = await api().json(await api().call('PATCH', `/v1/wallets/${w.id}`, w.bm.auth, { notifyEmail: 'not an address' }), 400);
    expect(bad.error.issues[0].path).toBe('body.notifyEmail');
    expect((await api().json(await api().call('POST', '/v1/wallets', w.bm.auth, { ownerPartyId: w.owner.party.id, currency: 'EUR', notifyEmail: 'x@' }), 400))
      .error.issues[0].path).toBe('body.notifyEmail');
    const ops = await aPartyWithKey(ctx.database.db, 'internal', 'ops');
    const stranger = await aPartyWithKey(ctx.database.db, 'vendor');
    expect((await api().call('PATCH', `/v1/wallets/${w.id}`, ops.auth, { notifyEmail: 'ops@x.test' })).status).toBe(403);
    expect((await api().call('PATCH', `/v1/wallets/${w.id}`, w.owner.auth, { notifyEmail: 'owner@x.test' })).status).toBe(403);
    expect((await api().call('PATCH', `/v1/wallets/${w.id}`, stranger.auth, { notifyEmail: 'stranger@x.test' })).status).toBe(404);
    expect((await api().json(await api().call('GET', `/v1/wallets/${w.id}`, w.bm.auth), 200)).notifyEmail).toBe('billing@customer.test');
  });
});
