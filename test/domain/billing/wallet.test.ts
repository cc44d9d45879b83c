import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyWalletTransaction, transferFunds, type Wallet, type WalletTransaction, type WalletTransactionRef } from '../../../domain/billing';
import { balanceOf, validatePosting } from '../../../domain/ledger';
import { formatPlain, money } from '../../../domain/money';
import { codeOf } from './helpers';

const at = '2024-03-05T10:00:00.000Z';

function aWallet(overrides: Partial<Wallet> = {}): Wallet {
  return { walletId: 'w1', accountId: 'acc-1', currency: 'EUR', balance: '12.00', lowBalanceThreshold: null, autoTopUp: null, ...overrides };
}

function ref(overrides: Partial<WalletTransactionRef>): WalletTransactionRef {
  return { transactionId: 't0', kind: 'debit', amount: '10', voided: false, reimbursedAmount: '0', ...overrides };
}

describe('prepaid wallet (SPEC §2.5, item 29)', () => {
  it('balance 12.00, order 10.00 leaves 2.00, debiting the wallet at once', () => {
    const outcome = applyWalletTransaction(aWallet(), { kind: 'debit', transactionId: 't1', amount: '10.00', recordId: 'r1' }, at);
    expect(outcome.wallet.balance).toBe('2.00');
    expect(outcome.postings.map((p) => [p.key, p.attributes.recordId, p.lines.map((l) => `${l.side} ${l.account.kind}:${l.account.owner} ${l.amount}`)])).toEqual([
      ['wallet:w1:tx:t1', 'r1', ['debit wallet:w1 10', 'credit revenue:acc-1 10']],
    ]);
  });

  it('balance 8.00 refuses an order of 10.00 with INSUFFICIENT_FUNDS', () => {
    expect(codeOf(() => applyWalletTransaction(aWallet({ balance: '8.00' }), { kind: 'debit', transactionId: 't1', amount: '10.00' }, at))).toBe('INSUFFICIENT_FUNDS');
  });

  it.each<[string, string, WalletTransaction, string | undefined, string | null]>([
    ['debit exactly the balance', '10', { kind: 'debit', transactionId: 't', amount: '10.00' }, undefined, '0.00'],
    ['debit a hundredth of a cent too much', '10', { kind: 'debit', transactionId: 't', amount: '10.0001' }, 'INSUFFICIENT_FUNDS', null],
    ['credit', '0', { kind: 'credit', transactionId: 't', amount: '25.50' }, undefined, '25.50'],
    ['zero credit', '0', { kind: 'credit', transactionId: 't', amount: '0' }, 'INVALID_AMOUNT', null],
    ['negative debit', '10', { kind: 'debit', transactionId: 't', amount: '-1' }, 'INVALID_AMOUNT', null],
    ['reimburse part of a debit', '2', { kind: 'reimburse', transactionId: 't', amount: '4', target: ref({}) }, undefined, '6'],
    ['reimburse more than is left', '2', { kind: 'reimburse', transactionId: 't', amount: '4', target: ref({ reimbursedAmount: '7' }) }, 'REIMBURSE_EXCEEDS_DEBIT', null],
    ['reimburse a credit', '2', { kind: 'reimburse', transactionId: 't', amount: '1', target: ref({ kind: 'credit' }) }, 'NOT_A_DEBIT', null],
    ['void a debit, less its reimbursements', '2', { kind: 'void', transactionId: 't', target: ref({ reimbursedAmount: '3' }) }, undefined, '9'],
    ['void a credit', '15', { kind: 'void', transactionId: 't', target: ref({ kind: 'credit' }) }, undefined, '5'],
    ['void a credit already spent', '5', { kind: 'void', transactionId: 't', target: ref({ kind: 'credit' }) }, 'INSUFFICIENT_FUNDS', null],
    ['void twice', '5', { kind: 'void', transactionId: 't', target: ref({ voided: true }) }, 'ALREADY_VOIDED', null],
  ])('%s', (_name, balance, tx, code, after) => {
    const run = () => applyWalletTransaction(aWallet({ balance }), tx, at);
    expect(codeOf(run)).toBe(code);
    if (after !== null) {
      const outcome = run();
      expect(outcome.wallet.balance).toBe(after);
      for (const posting of outcome.postings) validatePosting(posting);
      expect(formatPlain(balanceOf(outcome.postings, { kind: 'wallet', owner: 'w1' }).negated())).toBe(formatPlain(money(after).minus(money(balance))));
    }
  });

  it.each<[string, string, string, boolean]>([
    ['crossing below', '12', '8', true],
    ['landing exactly on it', '12', '7', false],
    ['already below', '4', '1', false],
  ])('LOW_BALANCE (threshold 5.00) when %s', (_name, balance, amount, notified) => {
    const outcome = applyWalletTransaction(aWallet({ balance, lowBalanceThreshold: '5.00' }), { kind: 'debit', transactionId: 't', amount }, at);
    expect(outcome.notifications.length > 0).toBe(notified);
  });

  it.each<[string, Wallet['autoTopUp'], string, { amount: string; requestKey: string } | null]>([
    ['tops up to a target', { belowAmount: '5', mode: 'toTarget', targetAmount: '50' }, '10', { amount: '48', requestKey: 'wallet:w1:topup:t' }],
    ['tops up by an amount', { belowAmount: '5', mode: 'byAmount', amount: '20' }, '10', { amount: '20', requestKey: 'wallet:w1:topup:t' }],
    ['does not fire at the threshold', { belowAmount: '2', mode: 'byAmount', amount: '20' }, '10', null],
    ['does not fire while above', { belowAmount: '1', mode: 'byAmount', amount: '20' }, '10', null],
  ])('automatic top-up %s', (_name, autoTopUp, amount, topUp) => {
    expect(applyWalletTransaction(aWallet({ autoTopUp }), { kind: 'debit', transactionId: 't', amount }, at).topUp).toEqual(topUp);
  });

  it('transfers between wallets of the same currency, never below zero', () => {
    const result = transferFunds(aWallet(), aWallet({ walletId: 'w2', balance: '0' }), 't9', '12.00', at);
    expect([result.from.balance, result.to.balance]).toEqual(['0.00', '12.00']);
    expect(result.postings.map((p) => p.key)).toEqual(['wallet:w1:tx:t9']);
    expect(codeOf(() => transferFunds(aWallet(), aWallet({ walletId: 'w2' }), 't9', '12.01', at))).toBe('INSUFFICIENT_FUNDS');
    expect(codeOf(() => transferFunds(aWallet(), aWallet({ walletId: 'w2', currency: 'USD' }), 't9', '1', at))).toBe('CURRENCY_MISMATCH');
    expect(codeOf(() => transferFunds(aWallet(), aWallet(), 't9', '1', at))).toBe('INVALID_TRANSFER');
  });

  it('property: the balance never goes below zero and always equals the wallet account', () => {
    const txArb = fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 5000 })).map(([credit, cents]) => ({ credit, amount: formatPlain(money(String(cents)).dividedBy(100)) }));
    fc.assert(
      fc.property(fc.array(txArb, { maxLength: 30 }), (txs) => {
        let wallet = aWallet({ balance: '0' });
        const postings = [];
        for (const [i, tx] of txs.entries()) {
          const transaction: WalletTransaction = { kind: tx.credit ? 'credit' : 'debit', transactionId: `t${i}`, amount: tx.amount };
          try {
            const outcome = applyWalletTransaction(wallet, transaction, at);
            wallet = outcome.wallet;
            postings.push(...outcome.postings);
          } catch (error) {
            expect(codeOf(() => { throw error; })).toBe('INSUFFICIENT_FUNDS');
          }
          expect(money(wallet.balance).isNegative() && !money(wallet.balance).isZero()).toBe(false);
        }
        expect(formatPlain(balanceOf(postings, { kind: 'wallet', owner: 'w1' }).negated())).toBe(formatPlain(money(wallet.balance)));
      }),
    );
  });
});
