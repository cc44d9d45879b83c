import { afterEach, describe, expect, it } from 'vitest';
import { releaseAcceptedRecords } from '../../db/queries/usage-file-billing';
import { aCatalog, aUsageRow, PRICED_COLUMNS, usageCsv } from '../fixtures/catalog';
import { apiClient } from '../fixtures/api';
import { anAccount } from '../fixtures/billing';
import { expectLedgerBalanced } from '../fixtures/ledger';
import { useIntegration } from '../helpers/integration';

// When the provider accepts a usage file its records become billable records of the asset's
// customer account (assets.customer_id), id "usage:{fileId}:{recordId}", once; records of an
// asset without a customer account stay out and are counted.

const ctx = useIntegration();
afterEach(async () => expectLedgerBalanced(ctx.database.sql));

describe('accepted usage files become billable', () => {
  it('releases the approved records of assets with a customer account, once', async () => {
    const api = apiClient(ctx.app);
    const c = await aCatalog(ctx.database.db, { schema: 'PR' });
    const account = await anAccount(ctx.database.sql, c.provider.party.id);
    await ctx.database.sql`update assets set customer_id = ${account.accountId} where id = any(${[c.assets[0]!.id, c.assets[1]!.id]})`;
    const rows = Array.from({ length: 6 }, (_, i) => aUsageRow(c, i, { amount: `${i + 1}.25` }, PRICED_COLUMNS));
    const file = await api.createFile(c);
    await api.upload(c, file.id, usageCsv(rows, PRICED_COLUMNS), 'ready');
    await api.json(await api.call('POST', `/v1/usage-files/${file.id}/submit`, c.vendor.auth, {}), 200);
    await api.json(await api.call('POST', `/v1/usage-files/${file.id}/accept`, c.provider.auth, { note: 'ok' }), 200);
    const deadline = Date.now() + 20_000;
    let released: Array<Record<string, unknown>> = [];
    while (released.length < 4 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      released = await ctx.database.sql`select id, account_id, subscription_id, service_id, item, unit, quantity::text, amount::text, rating_state, directive, life_cycle
        from billable_records where source_ref = ${file.id} order by id`;
    }
    // Rows 0, 1, 3, 4 use assets 0 and 1 (n % 3); rows 2 and 5 use asset 2, which has no customer.
    expect(released.map((r) => r.id)).toEqual([0, 1, 3, 4].map((n) => `usage:${file.id}:r-${n}`));
    expect(released[0]).toMatchObject({
      account_id: account.accountId, subscription_id: account.subscriptionId, service_id: c.assets[0]!.id, item: 'MPN-STORAGE-GB', unit: 'GB',
      quantity: '10.5', amount: '1.25', rating_state: 'COMPLETED', directive: 'TO_BE_BILLED', life_cycle: 'POSTED',
    });
    // Released again (a retried activity): nothing new.
    expect(await releaseAcceptedRecords(ctx.database.sql, file.id)).toEqual({ released: 0, withoutAccount: 2 });
  });
});
