import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { aRecordCharge, aUniqueAccount, expectLedgerBalanced } from '../fixtures/ledger';
import { aPartyWithKey } from '../fixtures/parties';
import { readJson } from '../helpers/http';
import { useIntegration } from '../helpers/integration';

const ctx = useIntegration({ worker: false });

afterEach(async () => {
  await expectLedgerBalanced(ctx.database.sql);
});

const get = async (path: string, headers: Record<string, string>) => {
  const res = await ctx.app.request(path, { headers });
  return { status: res.status, body: await readJson(res) };
};

describe('GET /v1/ledger/balances', () => {
  it("answers an owner's balances per account kind and currency, exactly, to internal roles only", async () => {
    const account = aUniqueAccount();
    await createActivities({ database: ctx.database }).postLedgerDelta({
      scope: { entryPrefix: 'record:', owner: account },
      shouldBe: [aRecordCharge(`${account}-1`, account, '10.005'), aRecordCharge(`${account}-2`, account, '0.995'), aRecordCharge(`${account}-3`, account, '1', { currency: 'USD' })],
    });
    const ops = await aPartyWithKey(ctx.database.db, 'internal', 'ops');
    const res = await get(`/v1/ledger/balances?owner=${encodeURIComponent(account)}`, ops.auth);
    expect(res.status).toBe(200);
    expect(res.body.items.map((b: { accountKind: string; currency: string; balance: string }) => [b.accountKind, b.currency, b.balance])).toEqual([
      ['unbilled', 'EUR', '11.000'], ['unbilled', 'USD', '1'], ['revenue', 'EUR', '-11.000'], ['revenue', 'USD', '-1'],
    ]);
    const vendor = await aPartyWithKey(ctx.database.db, 'vendor');
    expect((await get(`/v1/ledger/balances?owner=${encodeURIComponent(account)}`, vendor.auth)).status).toBe(403);
    expect((await get('/v1/ledger/balances', ops.auth)).status).toBe(400);
    expect((await get(`/v1/ledger/balances?owner=${randomUUID()}`, ops.auth)).body.items).toEqual([]);
  });
});
