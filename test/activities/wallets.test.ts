import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { ownerBalances } from '../../db/queries/ledger';
import { applyWalletRequest, findWallet, listWalletEvents, listWalletTransactions } from '../../db/queries/wallets';
import { aWallet, expectLedgerBalanced } from '../fixtures/ledger';
import { aPartyWithKey } from '../fixtures/parties';
import { useIntegration } from '../helpers/integration';

const ctx = useIntegration({ worker: false });
const at = '2024-03-10T12:00:00.000Z';

afterEach(async () => {
  await expectLedgerBalanced(ctx.database.sql);
});

async function aFundedWallet(balance: string, overrides: Parameters<typeof aWallet>[2] = {}) {
  const owner = await aPartyWithKey(ctx.database.db, 'vendor');
  const wallet = await aWallet(ctx.database.db, owner.party.id, overrides);
  await applyWalletRequest(ctx.database.sql, wallet.id, { kind: 'credit', transactionId: 'initial', amount: balance }, at);
  return wallet;
}

const balanceOf = async (walletId: string) => (await findWallet(ctx.database.db, walletId))!.balance;
const debit = (walletId: string, transactionId: string, amount: string) =>
  createActivities({ database: ctx.database }).applyWalletTransaction({ walletId, request: { kind: 'debit', transactionId, amount }, effectiveAt: at });

describe('wallet transactions', () => {
  it('debits an order the balance covers (12.00 - 10.00 leaves 2.00); called twice, it debits once', async () => {
    const wallet = await aFundedWallet('12.00');
    expect(await debit(wallet.id, 'order-1', '10.00')).toMatchObject({ applied: true, balanceAfter: '2.00' });
    expect(await debit(wallet.id, 'order-1', '10.00')).toMatchObject({ applied: false, balanceAfter: '2.00' });
    expect(await balanceOf(wallet.id)).toBe('2.00');
    expect((await listWalletTransactions(ctx.database.sql, wallet.id)).map((t) => [t.id, t.kind, t.amount, t.balanceAfter]))
      .toEqual([['initial', 'credit', '12.00', '12.00'], ['order-1', 'debit', '10.00', '2.00']]);
    const balances = await ownerBalances(ctx.database.sql, wallet.id);
    expect(balances).toEqual([{ accountKind: 'wallet', owner: wallet.id, currency: 'EUR', balance: '-2', postings: 2 }]);
    expect((await ownerBalances(ctx.database.sql, wallet.accountId)).map((b) => [b.accountKind, b.balance])).toEqual([['revenue', '-10'], ['cash', '12']]);
  });

  it('refuses an order the balance cannot cover (8.00 < 10.00) with INSUFFICIENT_FUNDS, changing nothing', async () => {
    const wallet = await aFundedWallet('8.00');
    await expect(debit(wallet.id, 'order-1', '10.00')).rejects.toMatchObject({ type: 'INSUFFICIENT_FUNDS', nonRetryable: true });
    expect(await balanceOf(wallet.id)).toBe('8.00');
    expect(await listWalletTransactions(ctx.database.sql, wallet.id)).toHaveLength(1);
    expect(await ctx.database.sql`select 1 from ledger_postings where entry = ${`wallet:${wallet.id}:tx:order-1`}`).toHaveLength(0);
  });

  it('never goes below zero under parallel debits: exactly the affordable number succeed', async () => {
    const wallet = await aFundedWallet('35.00');
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) =>
      applyWalletRequest(ctx.database.sql, wallet.id, { kind: 'debit', transactionId: `order-${i}`, amount: '10.00' }, at)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused.map((r) => (r.reason as { code: string }).code)).toEqual(Array(7).fill('INSUFFICIENT_FUNDS'));
    expect(await balanceOf(wallet.id)).toBe('5.00');
    expect((await ownerBalances(ctx.database.sql, wallet.id))[0]?.balance).toBe('-5');
  });

  it('the database refuses a negative balance whatever the code does (CHECK)', async () => {
    const wallet = await aFundedWallet('1.00');
    await expect(ctx.database.sql`update wallets set balance = -0.01 where id = ${wallet.id}`).rejects.toMatchObject({ code: '23514' });
  });

  it('records LOW_BALANCE once when a debit crosses the threshold, not on every debit below it', async () => {
    const wallet = await aFundedWallet('12.00', { lowBalanceThreshold: '5.00' });
    await debit(wallet.id, 'order-1', '6.00');
    expect(await listWalletEvents(ctx.database.db, wallet.id)).toEqual([]);
    await debit(wallet.id, 'order-2', '2.00');
    await debit(wallet.id, 'order-3', '1.00');
    const events = await listWalletEvents(ctx.database.db, wallet.id);
    expect(events.map((e) => [e.transactionId, e.code, e.payload])).toEqual([['order-2', 'LOW_BALANCE', { balance: '4.00', threshold: '5' }]]);
  });

  it('applies the automatic top-up after the order that takes the balance below the rule, once', async () => {
    const wallet = await aFundedWallet('12.00', { autoTopUp: { belowAmount: '5.00', mode: 'toTarget', targetAmount: '20.00' } });
    expect(await debit(wallet.id, 'order-1', '10.00')).toMatchObject({ balanceAfter: '2.00', topUpTransactionId: 'auto-top-up:order-1' });
    expect(await debit(wallet.id, 'order-1', '10.00')).toMatchObject({ applied: false, topUpTransactionId: 'auto-top-up:order-1' });
    expect(await balanceOf(wallet.id)).toBe('20.00');
    const transactions = await listWalletTransactions(ctx.database.sql, wallet.id);
    expect(transactions.map((t) => [t.id, t.kind, t.amount, t.balanceAfter])).toEqual([
      ['initial', 'credit', '12.00', '12.00'], ['order-1', 'debit', '10.00', '2.00'], ['auto-top-up:order-1', 'credit', '18', '20.00'],
    ]);
    expect((await listWalletEvents(ctx.database.db, wallet.id)).map((e) => e.code)).toEqual(['AUTO_TOP_UP']);
  });

  it('reimburses part of a debit, never more than is left of it, and voids what is left once', async () => {
    const wallet = await aFundedWallet('12.00');
    await debit(wallet.id, 'order-1', '10.00');
    await applyWalletRequest(ctx.database.sql, wallet.id, { kind: 'reimburse', transactionId: 'refund-1', amount: '4.00', targetTransactionId: 'order-1' }, at);
    await expect(applyWalletRequest(ctx.database.sql, wallet.id, { kind: 'reimburse', transactionId: 'refund-2', amount: '6.01', targetTransactionId: 'order-1' }, at))
      .rejects.toMatchObject({ code: 'REIMBURSE_EXCEEDS_DEBIT' });
    await applyWalletRequest(ctx.database.sql, wallet.id, { kind: 'void', transactionId: 'void-1', targetTransactionId: 'order-1' }, at);
    await expect(applyWalletRequest(ctx.database.sql, wallet.id, { kind: 'void', transactionId: 'void-2', targetTransactionId: 'order-1' }, at))
      .rejects.toMatchObject({ code: 'ALREADY_VOIDED' });
    expect(await balanceOf(wallet.id)).toBe('12.00');
    expect((await listWalletTransactions(ctx.database.sql, wallet.id)).find((t) => t.id === 'void-1')?.amount).toBe('6.00');
  });

  it('refuses a transaction id reused with another amount (IDEMPOTENCY_KEY_REUSED)', async () => {
    const wallet = await aFundedWallet('12.00');
    await debit(wallet.id, `order-${randomUUID()}`, '1.00');
    await debit(wallet.id, 'order-x', '1.00');
    await expect(debit(wallet.id, 'order-x', '2.00')).rejects.toMatchObject({ type: 'IDEMPOTENCY_KEY_REUSED' });
    expect(await balanceOf(wallet.id)).toBe('10.00');
  });

  it('parallel retries of one debit (same transaction id) apply it once', async () => {
    const wallet = await aFundedWallet('12.00');
    const results = await Promise.all(Array.from({ length: 5 }, () =>
      applyWalletRequest(ctx.database.sql, wallet.id, { kind: 'debit', transactionId: 'order-1', amount: '10.00' }, at)));
    expect(results.filter((r) => r.applied)).toHaveLength(1);
    expect(await balanceOf(wallet.id)).toBe('2.00');
    expect(await listWalletTransactions(ctx.database.sql, wallet.id)).toHaveLength(2);
  });
});
