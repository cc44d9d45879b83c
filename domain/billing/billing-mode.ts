// How a customer account pays (SPEC §2.5): a postpaid account is invoiced by billing runs; a prepaid
// account's rated usage debits its wallet at once (mediation quarantines what the balance cannot
// cover). A prepaid account names one wallet, of the account's own operator and in its currency; a
// postpaid account names none.
import { DomainError, NotFoundError, ValidationError } from '../errors';

export const BILLING_MODES = ['postpaid', 'prepaid'] as const;
export type BillingMode = (typeof BILLING_MODES)[number];

export interface AccountBilling {
  readonly accountId: string;
  readonly ownerPartyId: string;
  readonly currency: string;
  readonly billingMode: BillingMode;
  readonly walletId: string | null;
}

export interface WalletOwnership {
  readonly id: string;
  readonly ownerPartyId: string;
  readonly currency: string;
}

/**
 * Refuses an account's billing mode and wallet unless they fit: prepaid without a wallet and a wallet
 * on a postpaid account are VALIDATION_FAILED (path `body.walletId`); a wallet that is not stored or
 * belongs to another party is NOT_FOUND (as if it did not exist); a wallet in another currency is
 * CURRENCY_MISMATCH. `wallet` is the stored wallet `walletId` names, undefined when there is none.
 */
export function checkAccountBilling(account: AccountBilling, wallet: WalletOwnership | undefined): void {
  const { accountId, walletId } = account;
  if (account.billingMode === 'prepaid' && walletId === null) {
    throw new ValidationError(`prepaid account ${accountId} needs a wallet`, [{ path: 'body.walletId', message: 'required when billingMode is prepaid' }]);
  }
  if (account.billingMode === 'postpaid' && walletId !== null) {
    throw new ValidationError(`postpaid account ${accountId} takes no wallet`, [{ path: 'body.walletId', message: 'only with billingMode prepaid' }]);
  }
  if (walletId === null) return;
  if (!wallet || wallet.ownerPartyId !== account.ownerPartyId) throw new NotFoundError('Wallet', walletId);
  if (wallet.currency !== account.currency) {
    throw new DomainError('CURRENCY_MISMATCH', `wallet ${walletId} holds ${wallet.currency} but account ${accountId} bills in ${account.currency}`, {
      walletId, walletCurrency: wallet.currency, accountCurrency: account.currency,
    });
  }
}
