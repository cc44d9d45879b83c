import { afterEach, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { loadScopePostings, ownerBalances } from '../../db/queries/ledger';
import { applyWalletRequest } from '../../db/queries/wallets';
import { aRecordCharge, aUniqueAccount, aWallet, expectLedgerBalanced } from '../fixtures/ledger';
import { aPartyWithKey } from '../fixtures/parties';
import { useIntegration } from '../helpers/integration';

const ctx = useIntegration({ worker: false });
const activities = () => createActivities({ database: ctx.database });

afterEach(async () => {
  await expectLedgerBalanced(ctx.database.sql);
});

describe('postLedgerDelta', () => {
  it('posts what should be posted once: called twice, the second call posts nothing', async () => {
    const account = aUniqueAccount();
    const shouldBe = [aRecordCharge(`${account}-r1`, account, '10.00'), aRecordCharge(`${account}-r2`, account, '0.0125')];
    const scope = { entryPrefix: 'record:', owner: account };
    const first = await activities().postLedgerDelta({ scope, shouldBe });
    expect(first.posted.sort()).toEqual([`record:${account}-r1:charge`, `record:${account}-r2:charge`]);
    expect(await activities().postLedgerDelta({ scope, shouldBe })).toEqual({ posted: [] });
    expect(await loadScopePostings(ctx.database.sql, scope)).toHaveLength(2);
    const balances = await ownerBalances(ctx.database.sql, account);
    expect(balances.map((b) => [b.accountKind, b.balance])).toEqual([['unbilled', '10.0125'], ['revenue', '-10.0125']]);
  });

  it('an instant written without milliseconds is the same instant: nothing is re-posted', async () => {
    const account = aUniqueAccount();
    const shouldBe = [aRecordCharge(`${account}-r1`, account, '5', { effectiveAt: '2024-03-10T12:00:00Z' })];
    expect((await activities().postLedgerDelta({ scope: { entryPrefix: 'record:', owner: account }, shouldBe })).posted).toHaveLength(1);
    expect((await activities().postLedgerDelta({ scope: { entryPrefix: 'record:', owner: account }, shouldBe })).posted).toEqual([]);
  });

  it('corrects a changed entry with an exact reversal and a revision, and reverses a dropped one (cancel: -10.00)', async () => {
    const account = aUniqueAccount();
    const scope = { entryPrefix: `record:${account}-` };
    await activities().postLedgerDelta({ scope, shouldBe: [aRecordCharge(`${account}-a`, account, '10.00'), aRecordCharge(`${account}-b`, account, '3.00')] });
    const adjusted = await activities().postLedgerDelta({ scope, shouldBe: [aRecordCharge(`${account}-a`, account, '12.50')] });
    expect(adjusted.posted.sort()).toEqual([
      `record:${account}-a:charge:reversal:1`, `record:${account}-a:charge:revision:1`, `record:${account}-b:charge:reversal:1`,
    ]);
    expect(await activities().postLedgerDelta({ scope, shouldBe: [aRecordCharge(`${account}-a`, account, '12.50')] })).toEqual({ posted: [] });
    const balances = await ownerBalances(ctx.database.sql, account);
    expect(balances.find((b) => b.accountKind === 'unbilled')?.balance).toBe('12.50');
    const postings = await loadScopePostings(ctx.database.sql, scope);
    const reversal = postings.find((p) => p.key === `record:${account}-b:charge:reversal:1`);
    expect(reversal?.lines.map((l) => [l.account.kind, l.side, l.amount])).toEqual([['unbilled', 'credit', '3.00'], ['revenue', 'debit', '3.00']]);
  });

  it('refuses an unbalanced intended entry as a non-retryable UNBALANCED_POSTING and writes nothing', async () => {
    const account = aUniqueAccount();
    const bad = aRecordCharge(`${account}-r1`, account, '10.00');
    const unbalanced = { ...bad, lines: [bad.lines[0]!, { ...bad.lines[1]!, amount: '9.99' }] };
    await expect(activities().postLedgerDelta({ scope: { entryPrefix: 'record:', owner: account }, shouldBe: [unbalanced] }))
      .rejects.toMatchObject({ type: 'UNBALANCED_POSTING', nonRetryable: true });
    expect(await loadScopePostings(ctx.database.sql, { entryPrefix: 'record:', owner: account })).toEqual([]);
  });

  it('writes many lines through COPY, all or nothing', async () => {
    const account = aUniqueAccount();
    const shouldBe = Array.from({ length: 400 }, (_, i) => aRecordCharge(`${account}-${i}`, account, '0.01'));
    expect((await activities().postLedgerDelta({ scope: { entryPrefix: 'record:', owner: account }, shouldBe })).posted).toHaveLength(400);
    expect((await ownerBalances(ctx.database.sql, account)).find((b) => b.accountKind === 'unbilled')?.balance).toBe('4.00');
  });

  it("a record-charge scope never touches the same account's wallet postings", async () => {
    const account = aUniqueAccount();
    const owner = await aPartyWithKey(ctx.database.db, 'vendor');
    const wallet = await aWallet(ctx.database.db, owner.party.id, { accountId: account });
    await applyWalletRequest(ctx.database.sql, wallet.id, { kind: 'credit', transactionId: 'top-up-1', amount: '20.00' }, '2024-03-01T00:00:00.000Z');
    await activities().postLedgerDelta({ scope: { entryPrefix: 'record:', owner: account }, shouldBe: [aRecordCharge(`${account}-r1`, account, '1.00')] });
    expect(await activities().postLedgerDelta({ scope: { entryPrefix: 'record:', owner: account }, shouldBe: [] }))
      .toEqual({ posted: [`record:${account}-r1:charge:reversal:1`] });
    const balances = await ownerBalances(ctx.database.sql, account);
    expect(balances.map((b) => [b.accountKind, b.balance])).toEqual([['unbilled', '0.00'], ['revenue', '0.00'], ['cash', '20']]);
  });

  it('parallel runs of one posting job post each key once', async () => {
    const account = aUniqueAccount();
    const scope = { entryPrefix: 'record:', owner: account };
    const shouldBe = [aRecordCharge(`${account}-r1`, account, '2.50'), aRecordCharge(`${account}-r2`, account, '7.50')];
    const runs = await Promise.all(Array.from({ length: 4 }, () => activities().postLedgerDelta({ scope, shouldBe })));
    expect(runs.flatMap((r) => r.posted).sort()).toEqual([`record:${account}-r1:charge`, `record:${account}-r2:charge`]);
    expect((await ownerBalances(ctx.database.sql, account)).find((b) => b.accountKind === 'unbilled')?.balance).toBe('10.00');
  });
});
