import { describe, expect, it } from 'vitest';
import { aMarketplace, aPartyWithKey } from '../fixtures/parties';
import { mediationClient, uid } from '../fixtures/mediation';
import { useIntegration } from '../helpers/integration';

// How a customer account pays, through the API (SPEC §2.5): created postpaid or prepaid from a
// wallet of its operator in its currency, and switched with PATCH. Every refusal says what and
// where, and changes nothing. (Mediation debiting the wallet: mediation-prepaid.test.ts.)

const ctx = useIntegration({ worker: false });

async function setup() {
  const m = await aMarketplace(ctx.database.db);
  const api = mediationClient(ctx.app);
  const other = await aPartyWithKey(ctx.database.db, 'provider');
  const walletOf = async (ownerPartyId: string, currency: string) => (await api.ok('POST', '/v1/wallets', m.admin.auth, { ownerPartyId, currency }, 201)).id as string;
  const wallets = {
    gbp: await walletOf(m.provider.party.id, 'GBP'), gbp2: await walletOf(m.provider.party.id, 'GBP'),
    eur: await walletOf(m.provider.party.id, 'EUR'), theirs: await walletOf(other.party.id, 'GBP'),
  };
  const account = (id: string) => api.call('GET', `/v1/accounts/${id}`, m.provider.auth);
  return { m, api, other, wallets, account };
}

describe('customer account billing mode', () => {
  it('creates a prepaid account with a wallet of its operator in its currency; postpaid by default', async () => {
    const { m, api, wallets, account } = await setup();
    const id = uid('acc');
    expect(await api.ok('POST', '/v1/accounts', m.provider.auth, { id, currency: 'GBP', billingMode: 'prepaid', walletId: wallets.gbp }, 201))
      .toMatchObject({ id, billingMode: 'prepaid', walletId: wallets.gbp });
    expect((await account(id)).body).toMatchObject({ billingMode: 'prepaid', walletId: wallets.gbp });
    const plain = uid('acc');
    expect(await api.ok('POST', '/v1/accounts', m.provider.auth, { id: plain, currency: 'GBP' }, 201)).toMatchObject({ billingMode: 'postpaid', walletId: null });
  });

  it('refuses a create whose billing mode and wallet do not fit, saying which field, and creates nothing', async () => {
    const { m, api, wallets, account } = await setup();
    const issue = (message: string) => ({ code: 'VALIDATION_FAILED', issues: [{ path: 'body.walletId', message }] });
    for (const [body, status, error] of [
      [{ billingMode: 'prepaid' }, 400, issue('required when billingMode is prepaid')],
      [{ walletId: wallets.gbp }, 400, issue('only with billingMode prepaid')],
      [{ billingMode: 'prepaid', walletId: 'WA-nowhere' }, 404, { code: 'NOT_FOUND', message: 'Wallet WA-nowhere not found' }],
      [{ billingMode: 'prepaid', walletId: wallets.theirs }, 404, { code: 'NOT_FOUND', message: `Wallet ${wallets.theirs} not found` }],
      [{ billingMode: 'prepaid', walletId: wallets.eur }, 409, { code: 'CURRENCY_MISMATCH', walletCurrency: 'EUR', accountCurrency: 'GBP' }],
      [{ billingMode: 'credit', walletId: wallets.gbp }, 400, { code: 'VALIDATION_FAILED' }],
    ] as const) {
      const id = uid('acc');
      const res = await api.call('POST', '/v1/accounts', m.provider.auth, { id, currency: 'GBP', ...body });
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.body.error).toMatchObject(error);
      expect((await account(id)).status).toBe(404);
    }
  });

  it('switches an account with PATCH: prepaid needs a wallet, another wallet replaces it, postpaid drops it; refusals change nothing', async () => {
    const { m, api, other, wallets, account } = await setup();
    const op = m.provider.auth;
    const id = uid('acc');
    await api.ok('POST', '/v1/accounts', op, { id, currency: 'GBP' }, 201);
    const patch = (body: unknown, auth = op) => api.call('PATCH', `/v1/accounts/${id}`, auth, body);
    const unchanged = async (billingMode: string, walletId: string | null) => expect((await account(id)).body).toMatchObject({ billingMode, walletId });

    for (const [body, auth, status, code] of [
      [{ billingMode: 'prepaid' }, op, 400, 'VALIDATION_FAILED'],
      [{ walletId: wallets.gbp }, op, 400, 'VALIDATION_FAILED'],
      [{ billingMode: 'prepaid', walletId: wallets.theirs }, op, 404, 'NOT_FOUND'],
      [{ billingMode: 'prepaid', walletId: wallets.eur }, op, 409, 'CURRENCY_MISMATCH'],
      [{ billingMode: 'prepaid', walletId: wallets.gbp, name: 'x' }, op, 400, 'VALIDATION_FAILED'],
      [{ billingMode: 'prepaid', walletId: wallets.theirs }, other.auth, 404, 'NOT_FOUND'],
      [{ billingMode: 'prepaid', walletId: wallets.gbp }, m.ops.auth, 403, 'FORBIDDEN'],
    ] as const) {
      const res = await patch(body, auth);
      expect([res.status, res.body.error.code], JSON.stringify(body)).toEqual([status, code]);
      await unchanged('postpaid', null);
    }
    expect((await patch({ billingMode: 'prepaid' })).body.error.issues).toEqual([{ path: 'body.walletId', message: 'required when billingMode is prepaid' }]);

    expect(await api.ok('PATCH', `/v1/accounts/${id}`, op, { billingMode: 'prepaid', walletId: wallets.gbp }, 200)).toMatchObject({ id, billingMode: 'prepaid', walletId: wallets.gbp });
    expect(await api.ok('PATCH', `/v1/accounts/${id}`, op, { walletId: wallets.gbp2 }, 200)).toMatchObject({ billingMode: 'prepaid', walletId: wallets.gbp2 });
    for (const [body, status] of [[{ walletId: null }, 400], [{ walletId: wallets.eur }, 409], [{ billingMode: 'postpaid', walletId: wallets.gbp }, 400]] as const) {
      expect((await patch(body)).status, JSON.stringify(body)).toBe(status);
      await unchanged('prepaid', wallets.gbp2);
    }
    expect(await api.ok('PATCH', `/v1/accounts/${id}`, op, { billingMode: 'postpaid' }, 200)).toMatchObject({ billingMode: 'postpaid', walletId: null });
    await unchanged('postpaid', null);
  });
});
