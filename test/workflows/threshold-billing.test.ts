import { afterEach, describe, expect, it } from 'vitest';
import { thresholdBillingWorkflowId } from '../../workflows/shared';
import { thresholdInvoicesQuery } from '../../workflows/threshold-billing';
import { expectLedgerBalanced } from '../fixtures/ledger';
import { apiClient } from '../fixtures/api';
import { anAccount, anOperator, aRecord } from '../fixtures/billing';
import { useIntegration } from '../helpers/integration';

// SPEC §2.5 and §5 item 28: with max 20 unbilled records or max 100.00, the record that reaches
// either limit bills every unbilled record of the subscription at once (">=": the 20th record).

const ctx = useIntegration();
afterEach(async () => expectLedgerBalanced(ctx.database.sql));

async function store(auth: Record<string, string>, records: ReturnType<typeof aRecord>[]) {
  const api = apiClient(ctx.app);
  const body = records.map(({ source: _s, lifeCycle: _l, ...r }) => r);
  return api.json(await api.call('POST', '/v1/billable-records', auth, { records: body }), 201);
}

/** Waits until the account's threshold workflow has checked everything signalled. */
async function settled(accountId: string) {
  const handle = ctx.temporal.workflow.getHandle(thresholdBillingWorkflowId(accountId));
  const deadline = Date.now() + 20_000;
  for (;;) {
    const state = await handle.query(thresholdInvoicesQuery);
    if (state.pending.length === 0) return state;
    if (Date.now() > deadline) throw new Error('threshold workflow did not settle');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('threshold billing', () => {
  it('nineteen records totalling 95.00 wait; the 20th worth 10.00 bills the subscription at once for 105.00', async () => {
    const op = await anOperator(ctx.database.db);
    const account = await anAccount(ctx.database.sql, op.party.id, { billingTerm: { maxUnbilledRecords: 20, maxUnbilledAmount: '100.00' } });
    const nineteen = Array.from({ length: 19 }, () => aRecord(account, { amount: '5.00' }));
    await store(op.auth, nineteen);
    expect((await settled(account.accountId)).invoiceIds).toEqual([]);
    await store(op.auth, [aRecord(account, { amount: '10.00', billingEffectiveAt: '2024-03-20T00:00:00.000Z' })]);
    const { invoiceIds } = await settled(account.accountId);
    expect(invoiceIds).toHaveLength(1);
    const [invoice] = await ctx.database.sql`select total::text, status, trigger, (select count(*)::int from invoice_items i where i.invoice_id = v.id) as items from invoices v where id = ${invoiceIds[0]!}`;
    expect(invoice).toEqual({ total: '105.00', status: 'final', trigger: 'threshold', items: 20 });
    // Storing the same records again bills nothing twice.
    await store(op.auth, nineteen);
    expect((await settled(account.accountId)).invoiceIds).toHaveLength(1);
  });

  it('the amount limit alone: 40.00 + 40.00 wait, the third 40.00 reaches 100.00 and bills 120.00', async () => {
    const op = await anOperator(ctx.database.db);
    const account = await anAccount(ctx.database.sql, op.party.id, { billingTerm: { maxUnbilledRecords: 20, maxUnbilledAmount: '100.00' } });
    await store(op.auth, [aRecord(account, { amount: '40.00' }), aRecord(account, { amount: '40.00' })]);
    expect((await settled(account.accountId)).invoiceIds).toEqual([]);
    await store(op.auth, [aRecord(account, { amount: '40.00' })]);
    const { invoiceIds } = await settled(account.accountId);
    const [invoice] = await ctx.database.sql`select total::text from invoices where id = ${invoiceIds[0]!}`;
    expect(invoice!.total).toBe('120.00');
  });
});
