import { createRoute, z } from '@hono/zod-openapi';
import type { Caller, Role } from '../../domain/access';
import { NotFoundError, ValidationError } from '../../domain/errors';
import { findParty } from '../../db/queries/parties';
import {
  applyWalletRequest, createWallet, findWallet, listWalletTransactions, setWalletNotifyEmail, type WalletRequest, type WalletRow, type WalletTransactionRow,
} from '../../db/queries/wallets';
import { requireRole } from '../auth';
import { bearerSecurity, newRouter, type ApiDeps } from '../context';
import { conflict, errors, json } from '../openapi';

// Prepaid wallets (SPEC §2.5, item 29). Billing managers and admins create and top up wallets and
// set the address low-balance notifications are mailed to; a usage order debits at once or is
// refused with 409 INSUFFICIENT_FUNDS. The owning party sees its wallets and may place orders on
// them; internal roles see all; ops only read. Writes carry an Idempotency-Key, which is the
// transaction id: a repeated request applies once.

const walletWriters: readonly Role[] = ['admin', 'billing_manager'];
const internalRoles: readonly Role[] = ['admin', 'billing_manager', 'ops'];

const Amount = z.string().regex(/^(?=.*[1-9])\d{1,20}(\.\d{1,10})?$/, 'a positive decimal string such as "10.00"').openapi({ example: '10.00' });
const NonNegativeAmount = z.string().regex(/^\d{1,20}(\.\d{1,10})?$/, 'a decimal string such as "5.00"').openapi({ example: '5.00' });
const AutoTopUpJson = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('toTarget'), belowAmount: NonNegativeAmount, targetAmount: Amount }),
  z.strictObject({ mode: z.literal('byAmount'), belowAmount: NonNegativeAmount, amount: Amount }),
]).openapi('AutoTopUp');

const CreateWalletBody = z.strictObject({
  ownerPartyId: z.string().min(1),
  /** The customer account whose cash and revenue accounts take the other side; defaults to the owner party. */
  accountId: z.string().min(1).max(200).optional(),
  currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as "EUR"'),
  lowBalanceThreshold: NonNegativeAmount.optional(),
  autoTopUp: AutoTopUpJson.optional(),
  notifyEmail: z.email().optional().openapi({ description: 'Where a transaction taking the balance below lowBalanceThreshold is mailed' }),
}).openapi('CreateWallet');

const UpdateWalletBody = z.strictObject({
  notifyEmail: z.email().nullable().openapi({ description: 'Where LOW_BALANCE notifications are mailed from now on; null: nowhere' }),
}).openapi('UpdateWallet');

const WalletJson = z.object({
  id: z.string(), ownerPartyId: z.string(), accountId: z.string(), currency: z.string(), balance: z.string(),
  lowBalanceThreshold: z.string().nullable(), autoTopUp: AutoTopUpJson.nullable(), notifyEmail: z.string().nullable(), createdAt: z.string(), updatedAt: z.string(),
}).openapi('Wallet');

const TransactionJson = z.object({
  id: z.string(), kind: z.enum(['credit', 'debit', 'reimburse', 'void', 'transfer']), amount: z.string(), balanceAfter: z.string(),
  targetTransactionId: z.string().nullable(), recordId: z.string().nullable(), postingKey: z.string(), effectiveAt: z.string(), createdAt: z.string(),
}).openapi('WalletTransaction');

const AppliedJson = z.object({
  transaction: TransactionJson, balance: z.string(), autoTopUp: TransactionJson.nullable(),
}).openapi('WalletTransactionApplied');

const WalletParams = z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' } }) });
const IdempotencyHeader = z.object({
  'idempotency-key': z.string().min(1).max(200)
    .refine((key) => !key.startsWith('auto-top-up:'), 'the prefix auto-top-up: is reserved for automatic top-ups')
    .openapi({ description: 'Required: the transaction id; a repeated request applies once' }),
});

const walletJson = (w: WalletRow) => ({
  id: w.id, ownerPartyId: w.ownerPartyId, accountId: w.accountId, currency: w.currency, balance: w.balance,
  lowBalanceThreshold: w.lowBalanceThreshold, autoTopUp: w.autoTopUp, notifyEmail: w.notifyEmail, createdAt: w.createdAt.toISOString(), updatedAt: w.updatedAt.toISOString(),
});
const transactionJson = ({ walletId: _walletId, ...t }: WalletTransactionRow) => t;

export function walletRoutes(deps: ApiDeps) {
  const app = newRouter();
  const { db, sql } = deps.database;

  /** The wallet if the caller may see it; another party's wallet is "not found" (DESIGN invariant 6). */
  async function visibleWallet(caller: Caller, id: string): Promise<WalletRow> {
    const wallet = await findWallet(db, id);
    if (!wallet || (!internalRoles.includes(caller.role) && wallet.ownerPartyId !== caller.partyId)) throw new NotFoundError('Wallet', id);
    return wallet;
  }

  async function apply(walletId: string, request: WalletRequest) {
    const result = await applyWalletRequest(sql, walletId, request, new Date().toISOString());
    const wallet = await findWallet(db, walletId);
    return {
      status: result.applied ? 201 as const : 200 as const,
      body: { transaction: transactionJson(result.transaction), balance: wallet!.balance, autoTopUp: result.topUp ? transactionJson(result.topUp) : null },
    };
  }

  app.openapi(
    createRoute({
      method: 'post', path: '/', security: bearerSecurity, summary: 'Create a prepaid wallet (balance 0)',
      request: {
        headers: z.object({ 'idempotency-key': z.string().min(1).max(200).optional() }),
        body: { content: { 'application/json': { schema: CreateWalletBody } }, required: true },
      },
      responses: { 201: json(WalletJson, 'Created'), 200: json(WalletJson, 'The wallet an earlier request with this Idempotency-Key created'), ...errors },
    }),
    async (c) => {
      const caller = c.get('caller');
      requireRole(caller.role, walletWriters, 'create wallets');
      const body = c.req.valid('json');
      if (!(await findParty(db, body.ownerPartyId))) throw new ValidationError(`party ${body.ownerPartyId} does not exist`, [{ path: 'body.ownerPartyId', message: 'unknown party' }]);
      const { wallet, created } = await createWallet(db, {
        ownerPartyId: body.ownerPartyId, accountId: body.accountId ?? body.ownerPartyId, currency: body.currency,
        lowBalanceThreshold: body.lowBalanceThreshold ?? null, autoTopUp: body.autoTopUp ?? null, notifyEmail: body.notifyEmail ?? null,
        createdBy: caller.partyId, creationKey: c.req.valid('header')['idempotency-key'] ?? null,
      });
      return c.json(walletJson(wallet), created ? 201 : 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get', path: '/{id}', security: bearerSecurity, summary: 'A wallet and its balance',
      request: { params: WalletParams }, responses: { 200: json(WalletJson, 'The wallet'), ...errors },
    }),
    async (c) => c.json(walletJson(await visibleWallet(c.get('caller'), c.req.valid('param').id)), 200),
  );

  app.openapi(
    createRoute({
      method: 'patch', path: '/{id}', security: bearerSecurity, summary: "Set the wallet's notification address",
      request: { params: WalletParams, body: { content: { 'application/json': { schema: UpdateWalletBody } }, required: true } },
      responses: { 200: json(WalletJson, 'The wallet'), ...errors },
    }),
    async (c) => {
      const caller = c.get('caller');
      const wallet = await visibleWallet(caller, c.req.valid('param').id);
      requireRole(caller.role, walletWriters, 'change wallets');
      const updated = await setWalletNotifyEmail(db, wallet.id, c.req.valid('json').notifyEmail);
      return c.json(walletJson(updated!), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post', path: '/{id}/top-ups', security: bearerSecurity, summary: 'Credit funds to a wallet (once per Idempotency-Key)',
      request: {
        params: WalletParams, headers: IdempotencyHeader,
        body: { content: { 'application/json': { schema: z.strictObject({ amount: Amount }) } }, required: true },
      },
      responses: { 201: json(AppliedJson, 'Credited'), 200: json(AppliedJson, 'Already credited by an earlier request with this key'), ...errors, ...conflict },
    }),
    async (c) => {
      const caller = c.get('caller');
      const wallet = await visibleWallet(caller, c.req.valid('param').id);
      requireRole(caller.role, walletWriters, 'top up wallets');
      const { status, body } = await apply(wallet.id, { kind: 'credit', transactionId: c.req.valid('header')['idempotency-key'], amount: c.req.valid('json').amount });
      return c.json(body, status);
    },
  );

  app.openapi(
    createRoute({
      method: 'post', path: '/{id}/debits', security: bearerSecurity,
      summary: 'A prepaid usage order: debited at once, or refused with 409 INSUFFICIENT_FUNDS and the balance',
      request: {
        params: WalletParams, headers: IdempotencyHeader,
        body: { content: { 'application/json': { schema: z.strictObject({ amount: Amount, recordId: z.string().min(1).max(200).optional() }) } }, required: true },
      },
      responses: { 201: json(AppliedJson, 'Debited'), 200: json(AppliedJson, 'Already debited by an earlier request with this key'), ...errors, ...conflict },
    }),
    async (c) => {
      const caller = c.get('caller');
      const wallet = await visibleWallet(caller, c.req.valid('param').id);
      if (wallet.ownerPartyId !== caller.partyId) requireRole(caller.role, walletWriters, "debit another party's wallet");
      if (caller.role === 'ops') requireRole(caller.role, walletWriters, 'debit wallets');
      const { amount, recordId } = c.req.valid('json');
      const request: WalletRequest = { kind: 'debit', transactionId: c.req.valid('header')['idempotency-key'], amount, ...(recordId ? { recordId } : {}) };
      const { status, body } = await apply(wallet.id, request);
      return c.json(body, status);
    },
  );

  app.openapi(
    createRoute({
      method: 'get', path: '/{id}/transactions', security: bearerSecurity, summary: "A wallet's transactions, in the order they were applied",
      request: { params: WalletParams }, responses: { 200: json(z.object({ items: z.array(TransactionJson) }), 'Transactions'), ...errors },
    }),
    async (c) => {
      const wallet = await visibleWallet(c.get('caller'), c.req.valid('param').id);
      return c.json({ items: (await listWalletTransactions(sql, wallet.id)).map(transactionJson) }, 200);
    },
  );

  return app;
}
