import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { aPartyWithKey } from '../fixtures/parties';
import { expectLedgerBalanced } from '../fixtures/ledger';
import { readJson, type Json } from '../helpers/http';
import { useIntegration } from '../helpers/integration';

const ctx = useIntegration({ worker: false });

afterEach(async () => {
  await expectLedgerBalanced(ctx.database.sql);
});

const call = async (method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<{ status: number; body: Json }> => {
  const res = await ctx.app.request(path, {
    method, headers: { ...headers, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await readJson(res) };
};
const key = () => ({ 'idempotency-key': randomUUID() });

async function aWalletOf(balance: string, extra: Record<string, unknown> = {}) {
  const bm = await aPartyWithKey(ctx.database.db, 'internal', 'billing_manager');
  const owner = await aPartyWithKey(ctx.database.db, 'vendor');
  const created = await call('POST', '/v1/wallets', bm.auth, { ownerPartyId: owner.party.id, currency: 'EUR', ...extra });
  expect(created.status).toBe(201);
  const id: string = created.body.id;
  if (balance !== '0') expect((await call('POST', `/v1/wallets/${id}/top-ups`, { ...bm.auth, ...key() }, { amount: balance })).status).toBe(201);
  return { id, bm, owner };
}

describe('wallets through the API', () => {
  it('an order of 10.00 on a balance of 12.00 is debited at once and leaves 2.00', async () => {
    const w = await aWalletOf('12.00');
    const order = await call('POST', `/v1/wallets/${w.id}/debits`, { ...w.owner.auth, ...key() }, { amount: '10.00', recordId: 'udr-1' });
    expect(order).toMatchObject({ status: 201, body: { transaction: { kind: 'debit', amount: '10.00', balanceAfter: '2.00', recordId: 'udr-1' }, balance: '2.00' } });
    expect((await call('GET', `/v1/wallets/${w.id}`, w.owner.auth)).body.balance).toBe('2.00');
  });

  it('an order of 10.00 on a balance of 8.00 is refused with 409 INSUFFICIENT_FUNDS and the balance, and nothing changes', async () => {
    const w = await aWalletOf('8.00');
    const order = await call('POST', `/v1/wallets/${w.id}/debits`, { ...w.owner.auth, ...key() }, { amount: '10.00' });
    expect(order).toMatchObject({ status: 409, body: { error: { code: 'INSUFFICIENT_FUNDS', balance: '8.00', amount: '10' } } });
    const listed = await call('GET', `/v1/wallets/${w.id}/transactions`, w.bm.auth);
    expect(listed.body.items.map((t: Json) => t.kind)).toEqual(['credit']);
    expect((await call('GET', `/v1/wallets/${w.id}`, w.bm.auth)).body.balance).toBe('8.00');
  });

  it('a repeated top-up with the same Idempotency-Key credits once; the key is required', async () => {
    const w = await aWalletOf('0');
    const headers = { ...w.bm.auth, 'idempotency-key': `top-up-${randomUUID()}` };
    expect((await call('POST', `/v1/wallets/${w.id}/top-ups`, headers, { amount: '25.50' })).status).toBe(201);
    const again = await call('POST', `/v1/wallets/${w.id}/top-ups`, headers, { amount: '25.50' });
    expect(again).toMatchObject({ status: 200, body: { balance: '25.50' } });
    expect((await call('POST', `/v1/wallets/${w.id}/top-ups`, headers, { amount: '30.00' })).body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const missing = await call('POST', `/v1/wallets/${w.id}/top-ups`, w.bm.auth, { amount: '1.00' });
    expect(missing).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION_FAILED' } } });
    const reserved = await call('POST', `/v1/wallets/${w.id}/top-ups`, { ...w.bm.auth, 'idempotency-key': 'auto-top-up:x' }, { amount: '1.00' });
    expect(reserved.status).toBe(400);
    expect((await call('GET', `/v1/wallets/${w.id}/transactions`, w.bm.auth)).body.items).toHaveLength(1);
  });

  it('answers 404 for another party’s wallet, lets ops read but not write, and only lets billing managers and admins top up', async () => {
    const w = await aWalletOf('5.00');
    const stranger = await aPartyWithKey(ctx.database.db, 'vendor');
    const ops = await aPartyWithKey(ctx.database.db, 'internal', 'ops');
    expect((await call('GET', `/v1/wallets/${w.id}`, stranger.auth)).status).toBe(404);
    expect((await call('GET', `/v1/wallets/${w.id}/transactions`, stranger.auth)).status).toBe(404);
    expect((await call('POST', `/v1/wallets/${w.id}/debits`, { ...stranger.auth, ...key() }, { amount: '1.00' })).status).toBe(404);
    expect((await call('GET', `/v1/wallets/${w.id}`, ops.auth)).status).toBe(200);
    expect((await call('POST', `/v1/wallets/${w.id}/debits`, { ...ops.auth, ...key() }, { amount: '1.00' })).status).toBe(403);
    expect((await call('POST', `/v1/wallets/${w.id}/top-ups`, { ...ops.auth, ...key() }, { amount: '1.00' })).status).toBe(403);
    expect((await call('POST', `/v1/wallets/${w.id}/top-ups`, { ...w.owner.auth, ...key() }, { amount: '1.00' })).status).toBe(403);
    expect((await call('POST', '/v1/wallets', w.owner.auth, { ownerPartyId: w.owner.party.id, currency: 'EUR' })).status).toBe(403);
    expect((await call('GET', `/v1/wallets/${w.id}`, w.bm.auth)).body.balance).toBe('5.00');
  });

  it.each([
    ['an unknown field', { amount: '1.00', note: 'x' }, 'body'],
    ['a float amount', { amount: 1 }, 'body.amount'],
    ['a zero amount', { amount: '0.00' }, 'body.amount'],
    ['a negative amount', { amount: '-1.00' }, 'body.amount'],
  ])('rejects a debit with %s (400)', async (_what, body, path) => {
    const w = await aWalletOf('5.00');
    const res = await call('POST', `/v1/wallets/${w.id}/debits`, { ...w.owner.auth, ...key() }, body);
    expect(res.status).toBe(400);
    expect(res.body.error.issues[0].path).toContain(path);
  });

  it('records LOW_BALANCE and applies the automatic top-up configured on the wallet', async () => {
    const w = await aWalletOf('12.00', { lowBalanceThreshold: '5.00', autoTopUp: { mode: 'byAmount', belowAmount: '3.00', amount: '10.00' } });
    const order = await call('POST', `/v1/wallets/${w.id}/debits`, { ...w.owner.auth, ...key() }, { amount: '10.00' });
    expect(order.body).toMatchObject({ transaction: { balanceAfter: '2.00' }, autoTopUp: { kind: 'credit', amount: '10', balanceAfter: '12.00' }, balance: '12.00' });
    const events = await ctx.database.sql`select code from wallet_events where wallet_id = ${w.id} order by id`;
    expect(events.map((e) => e.code)).toEqual(['LOW_BALANCE', 'AUTO_TOP_UP']);
  });

  it('creates a wallet once per Idempotency-Key', async () => {
    const bm = await aPartyWithKey(ctx.database.db, 'internal', 'billing_manager');
    const owner = await aPartyWithKey(ctx.database.db, 'vendor');
    const headers = { ...bm.auth, 'idempotency-key': randomUUID() };
    const first = await call('POST', '/v1/wallets', headers, { ownerPartyId: owner.party.id, currency: 'USD' });
    const second = await call('POST', '/v1/wallets', headers, { ownerPartyId: owner.party.id, currency: 'USD' });
    expect([first.status, second.status]).toEqual([201, 200]);
    expect(second.body.id).toBe(first.body.id);
    expect((await call('POST', '/v1/wallets', bm.auth, { ownerPartyId: 'PA-none', currency: 'USD' })).status).toBe(400);
  });
});
