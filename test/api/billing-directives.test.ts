import { afterEach, describe, expect, it } from 'vitest';
import { applyRecordAction, insertBillableRecords, type NewBillableRecord } from '../../db/queries/billable-records';
import { formatPlain, money, ZERO } from '../../domain/money';
import type { Json } from '../helpers/http';
import { expectLedgerBalanced } from '../fixtures/ledger';
import { apiClient } from '../fixtures/api';
import { anAccount, anOperator, aRecord } from '../fixtures/billing';
import { useIntegration } from '../helpers/integration';

// SPEC §5 items 24-27 and credit notes: billing directives and record actions through the API. On a
// billed record every change posts a reversal of exactly opposite value (and, where due, the new
// charge), which the next billing run invoices; nothing is edited in place.

const ctx = useIntegration();
const negated = (value: string) => (value.startsWith('-') ? value.slice(1) : `-${value}`);
const exactSum = (values: string[]) => formatPlain(values.reduce((sum, v) => sum.plus(money(v)), ZERO));
afterEach(async () => expectLedgerBalanced(ctx.database.sql));

/** An operator's account with a 10.00 record (and `others`) billed by the run of 2024-04-03. */
async function setUp(others: Array<Partial<NewBillableRecord>> = []) {
  const api = apiClient(ctx.app);
  const op = await anOperator(ctx.database.db);
  const account = await anAccount(ctx.database.sql, op.party.id);
  const record = aRecord(account, { amount: '10.00' });
  await insertBillableRecords(ctx.database.sql, [record, ...others.map((o) => aRecord(account, o))]);
  /** Runs billing for the cycle built on `runDate`; returns the account's invoice of it, or null. */
  const bill = async (runDate: string) => {
    const run = await api.json(await api.call('POST', '/v1/billing-runs', op.auth, { runDate }), 202);
    const deadline = Date.now() + 30_000;
    while ((await api.json(await api.call('GET', `/v1/billing-runs/${run.id}`, op.auth), 200)).phase !== 'completed') {
      if (Date.now() > deadline) throw new Error(`run ${run.id} did not complete`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const [row] = await ctx.database.sql`select id from invoices where run_id = ${run.id} and account_id = ${account.accountId}`;
    return row ? api.json(await api.call('GET', `/v1/invoices/${row.id}`, op.auth), 200) : null;
  };
  const act = async (body: unknown, status: number) => api.json(await api.call('POST', `/v1/billable-records/${record.id}/actions`, op.auth, body), status);
  const billed = await bill('2024-04-03');
  expect(billed).toMatchObject({ status: 'final' });
  return { api, op, account, record, bill, act, invoice: billed };
}

describe('billing directives and record actions', () => {
  it('24: a directive is one of three values; setting the one the record has is refused and changes nothing', async () => {
    const { act, api, op, record } = await setUp();
    const refused = await act({ kind: 'setBillable' }, 409);
    expect(refused.error).toMatchObject({ code: 'DIRECTIVE_UNCHANGED', directive: 'TO_BE_BILLED' });
    const bad = await api.json(await api.call('POST', `/v1/billable-records/${record.id}/actions`, op.auth, { kind: 'setMaybe' }), 400);
    expect(bad.error.code).toBe('VALIDATION_FAILED');
    const after = await api.json(await api.call('GET', `/v1/billable-records/${record.id}`, op.auth), 200);
    expect(after).toMatchObject({ directive: 'TO_BE_BILLED', allowedActions: ['setCreditable', 'setNotToBeBilled', 'adjust', 'cancel'], events: [] });
  });

  it('25: adjusting a billed record reverses exactly -10.00 now and charges the adjusted data at the next rating', async () => {
    const { act, bill, record } = await setUp();
    const adjusted = await act({ kind: 'adjust', changes: { quantity: '2' } }, 200);
    expect(adjusted.record).toMatchObject({ quantity: '2', ratingState: 'PENDING', amount: null });
    expect(adjusted.postingKeys).toEqual([`record:${record.id}:charge:reversal:1`]);
    const reversal = await ctx.database.sql`select side, amount::text, account_kind from ledger_lines where posting_key = ${adjusted.postingKeys[0]} order by line_no`;
    expect(reversal).toEqual([{ side: 'credit', amount: '10.00', account_kind: 'unbilled' }, { side: 'debit', amount: '10.00', account_kind: 'revenue' }]);
    // The rating engine rates the adjusted record (2 minutes at 10.00).
    const rated = await applyRecordAction(ctx.database.sql, { recordId: record.id, action: { kind: 'rate', amount: '20.00' }, actor: 'rating' });
    expect(rated.postingKeys).toEqual([`record:${record.id}:charge:revision:1`]);
    const next = await bill('2024-05-03');
    expect(next).toMatchObject({ total: '10.00', kind: 'invoice' });
    expect(next.lines[0].items.map((i: { postingKind: string; amount: string; quantity: string }) => [i.postingKind, i.amount, i.quantity]))
      .toEqual(expect.arrayContaining([['reversal', '-10.00', '-1'], ['revision', '20', '2']]));
  });

  it('26: cancelling a billed 10.00 record posts -10.00 and CANCELLED; it cannot be deleted or billed again', async () => {
    const { act, api, op, bill, record } = await setUp();
    const cancelled = await act({ kind: 'cancel' }, 200);
    expect(cancelled.record.lifeCycle).toBe('CANCELLED');
    const again = await act({ kind: 'setCreditable' }, 409);
    expect(again.error).toMatchObject({ code: 'ILLEGAL_TRANSITION', currentState: 'CANCELLED' });
    expect((await api.call('DELETE', `/v1/billable-records/${record.id}`, op.auth)).status).toBe(404);
    const next = await bill('2024-05-03');
    expect(next).toMatchObject({ kind: 'credit_note', total: '-10.00' });
    expect(await bill('2024-06-03')).toBeNull(); // never billed again
  });

  it.each([
    ['setNotToBeBilled', '-10.00', 1],
    ['setCreditable', '-20.00', 2],
  ])('27: %s on a billed record reverses it, processed in the next run (%s)', async (kind, total, postings) => {
    const { act, bill } = await setUp();
    const changed = await act({ kind }, 200);
    expect(changed.postingKeys).toHaveLength(postings);
    expect(await bill('2024-05-03')).toMatchObject({ kind: 'credit_note', total });
  });

  it('a final invoice is corrected by a credit note of exactly opposite lines; crediting twice returns the first', async () => {
    const { api, op, invoice } = await setUp();
    const note = await api.json(await api.call('POST', `/v1/invoices/${invoice.id}/credit-notes`, op.auth, {}), 201);
    expect(note.creditNote).toMatchObject({ kind: 'credit_note', status: 'final', total: '-10.00', correctsInvoiceId: invoice.id, lines: [{ amount: '-10.00', quantity: '-1' }] });
    const twice = await api.json(await api.call('POST', `/v1/invoices/${invoice.id}/credit-notes`, op.auth, {}), 200);
    expect(twice.creditNoteId).toBe(note.creditNoteId);
    const ofNote = await api.json(await api.call('POST', `/v1/invoices/${note.creditNoteId}/credit-notes`, op.auth, {}), 409);
    expect(ofNote.error.code).toBe('NOT_AN_INVOICE');
    const [unchanged] = await ctx.database.sql`select total::text, status from invoices where id = ${invoice.id}`;
    expect(unchanged).toEqual({ total: '10.00', status: 'final' });
  });

  it("a credit note's statement is what it credits: the credited line's items negated, each line their exact sum; a line is credited once", async () => {
    // voice|TELEPHONY|national: 10.00 + 5.003 + 0.0049 = 15.0079 -> 15.01; voice|TELEPHONY|mobile: 7.50.
    const { api, op, invoice } = await setUp([{ amount: '5.003', quantity: '2' }, { amount: '0.0049' }, { amount: '7.50', item: 'mobile' }]);
    expect(invoice.lines.map((l: Json) => [l.id, l.quantity, l.exactAmount, l.amount]))
      .toEqual([['voice|TELEPHONY|mobile', '1', '7.50', '7.50'], ['voice|TELEPHONY|national', '4', '15.0079', '15.01']]);
    const national = invoice.lines[1];
    const issued = await api.json(await api.call('POST', `/v1/invoices/${invoice.id}/credit-notes`, op.auth, { lineIds: [national.id] }), 201);
    const note = await api.json(await api.call('GET', `/v1/invoices/${issued.creditNoteId}`, op.auth), 200);
    expect(note).toMatchObject({ kind: 'credit_note', status: 'final', trigger: 'correction', correctsInvoiceId: invoice.id, total: '-15.01', exactTotal: '-15.0079' });
    expect(note.lines).toHaveLength(1);
    const [line] = note.lines;
    expect(line).toMatchObject({ id: national.id, quantity: '-4', exactAmount: '-15.0079', amount: '-15.01' });
    expect(line.items).toHaveLength(3);
    expect(line.items).toEqual(national.items.map((i: Json) => ({ ...i, quantity: negated(i.quantity), amount: negated(i.amount) })));
    expect(exactSum(line.items.map((i: Json) => i.amount))).toBe(line.exactAmount);
    expect(exactSum(line.items.map((i: Json) => i.quantity))).toBe(line.quantity);

    // Crediting the line again within another selection is refused and changes nothing; the other line still can be credited.
    const count = async () => (await ctx.database.sql`select count(*)::int as n from invoices where corrects_invoice_id = ${invoice.id}`)[0]!.n;
    const again = await api.json(await api.call('POST', `/v1/invoices/${invoice.id}/credit-notes`, op.auth, {}), 409);
    expect(again.error).toMatchObject({ code: 'ALREADY_CREDITED', credited: [{ lineId: national.id, creditNoteId: issued.creditNoteId }] });
    expect(await count()).toBe(1);
    const mobile = await api.json(await api.call('POST', `/v1/invoices/${invoice.id}/credit-notes`, op.auth, { lineIds: ['voice|TELEPHONY|mobile'] }), 201);
    expect(mobile.creditNote.lines).toEqual([expect.objectContaining({ exactAmount: '-7.5', amount: '-7.50', items: [expect.objectContaining({ amount: '-7.50', quantity: '-1' })] })]);
    expect(await count()).toBe(2);
    // A final credit note's statement cannot change (MF003).
    await expect(ctx.database.sql`update credit_note_items set amount = 0 where invoice_id = ${issued.creditNoteId}`).rejects.toMatchObject({ code: 'MF003' });
    expect((await api.json(await api.call('GET', `/v1/invoices/${invoice.id}`, op.auth), 200)).lines).toEqual(invoice.lines);
  });

  it("another party's record is not found", async () => {
    const { record } = await setUp();
    const other = await anOperator(ctx.database.db);
    const api = apiClient(ctx.app);
    expect((await api.call('POST', `/v1/billable-records/${record.id}/actions`, other.auth, { kind: 'cancel' })).status).toBe(404);
  });
});
