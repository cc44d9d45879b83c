import { describe, expect, it } from 'vitest';
import { checkAccountBilling, type AccountBilling, type WalletOwnership } from '../../../domain/billing';

// Every case of an account's billing mode and wallet (SPEC §2.5): what fits, and each refusal with its code and place.

const postpaid: AccountBilling = { accountId: 'acc-1', ownerPartyId: 'op-1', currency: 'GBP', billingMode: 'postpaid', walletId: null };
const prepaid: AccountBilling = { ...postpaid, billingMode: 'prepaid', walletId: 'WA-1' };
const wallet: WalletOwnership = { id: 'WA-1', ownerPartyId: 'op-1', currency: 'GBP' };

function refusal(account: AccountBilling, stored: WalletOwnership | undefined) {
  try {
    checkAccountBilling(account, stored);
  } catch (error) {
    return error as { code: string; message: string; details: Record<string, unknown> };
  }
  return undefined;
}

describe('account billing mode', () => {
  it.each([
    ['postpaid without a wallet', postpaid, undefined],
    ['prepaid with a wallet of its operator in its currency', prepaid, wallet],
  ] as const)('accepts %s', (_, account, stored) => {
    expect(refusal(account, stored)).toBeUndefined();
  });

  it.each([
    ['prepaid without a wallet', { ...prepaid, walletId: null }, undefined, 'VALIDATION_FAILED', 'prepaid account acc-1 needs a wallet',
      { issues: [{ path: 'body.walletId', message: 'required when billingMode is prepaid' }] }],
    ['postpaid with a wallet', { ...postpaid, walletId: 'WA-1' }, wallet, 'VALIDATION_FAILED', 'postpaid account acc-1 takes no wallet',
      { issues: [{ path: 'body.walletId', message: 'only with billingMode prepaid' }] }],
    ['a wallet that is not stored', prepaid, undefined, 'NOT_FOUND', 'Wallet WA-1 not found', { what: 'Wallet', id: 'WA-1' }],
    ["another party's wallet, as if it did not exist", prepaid, { ...wallet, ownerPartyId: 'op-2' }, 'NOT_FOUND', 'Wallet WA-1 not found', { what: 'Wallet', id: 'WA-1' }],
    ['a wallet in another currency', prepaid, { ...wallet, currency: 'EUR' }, 'CURRENCY_MISMATCH', 'wallet WA-1 holds EUR but account acc-1 bills in GBP',
      { walletId: 'WA-1', walletCurrency: 'EUR', accountCurrency: 'GBP' }],
  ] as const)('refuses %s', (_, account, stored, code, message, details) => {
    expect(refusal(account, stored)).toMatchObject({ code, message, details });
  });
});
