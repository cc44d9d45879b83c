import { afterEach, describe, expect, it } from 'vitest';
import { buildInvoice } from '../../domain/billing';
import { applyRecordAction, insertBillableRecords } from '../../db/queries/billable-records';
import { cycleInvoiceId, refreshDrafts } from '../../db/queries/billing';
import { findInvoice } from '../../db/queries/invoices';
import { loadScopePostings } from '../../db/queries/ledger';
import { anAccount, anOperator, aRecord } from '../fixtures/billing';
import { expectLedgerBalanced } from '../fixtures/ledger';
import { useIntegration } from '../helpers/integration';

// The set-based invoice (SQL statements over a batch) is the invoice domain buildInvoice makes from
// the same postings: same lines, quantities, exact and rounded amounts, total. Refreshing it again
// changes nothing; a posting arriving later joins it.

const ctx = useIntegration({ worker: false });
afterEach(async () => expectLedgerBalanced(ctx.database.sql));

describe('set-based invoice drafts', () => {
  it('equal domain buildInvoice over the same postings, reversals and half-even ties included', async () => {
    const { sql, db } = ctx.database;
    const op = await anOperator(db);
    const account = await anAccount(sql, op.party.id);
    const records = [
      aRecord(account, { amount: '1.005', quantity: '1' }), aRecord(account, { amount: '2.0149', quantity: '3' }),
      aRecord(account, { amount: '0.125', item: 'mobile' }), aRecord(account, { amount: '4.00', directive: 'TO_BE_CREDITED', item: 'refund' }),
      aRecord(account, { amount: '7.77', serviceId: 'data', category: 'DATA', unit: 'MB', quantity: '10.5' }),
    ];
    await insertBillableRecords(sql, records);
    const target = {
      invoiceId: cycleInvoiceId(account.accountId, '2024-03-01T00:00:00.000Z'), accountId: account.accountId, ownerPartyId: op.party.id, runId: null,
      currency: 'EUR', trigger: 'cycle' as const, subscriptionId: null, periodStartAt: '2024-03-01T00:00:00.000Z', periodEndAt: '2024-04-01T00:00:00.000Z',
      cutOffAt: '2024-04-01T00:00:00.000Z',
    };
    await sql.begin((tx) => refreshDrafts(tx, [target]));
    // A billed record is cancelled before the draft is final: its reversal joins the draft.
    await applyRecordAction(sql, { recordId: records[1]!.id, action: { kind: 'cancel' }, actor: 'test' });
    await sql.begin((tx) => refreshDrafts(tx, [target]));
    await sql.begin((tx) => refreshDrafts(tx, [target])); // again: nothing changes

    const stored = (await findInvoice(sql, target.invoiceId))!;
    const postings = await loadScopePostings(sql, { entryPrefix: 'record:', owner: account.accountId });
    const domain = buildInvoice({ ...target, postings, billedPostingKeys: [] })!;
    const shape = (lines: typeof domain.lines) => lines.map((l) => ({ id: l.id, unit: l.unit, quantity: Number(l.quantity), exact: Number(l.exactAmount), amount: l.amount, items: l.items.length }));
    expect(shape(stored.lines)).toEqual(shape(domain.lines));
    expect(stored.lines.map((l) => l.amount)).toEqual(domain.lines.map((l) => l.amount));
    expect({ total: stored.total, kind: stored.kind }).toEqual({ total: domain.total, kind: domain.kind });
    // 1.005 -> 1.00 (half-even), refund -4.00, mobile 0.125 -> 0.12, data 7.77; the cancelled 2.0149 nets to 0.
    expect(stored.total).toBe('4.89');
    expect(stored.lines.flatMap((l) => l.items)).toHaveLength(6);
  });
});
