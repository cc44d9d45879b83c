import { createRoute, z } from '@hono/zod-openapi';
import { ACCOUNT_KINDS } from '../../domain/ledger';
import { ownerBalances } from '../../db/queries/ledger';
import { requireRole } from '../auth';
import { bearerSecurity, newRouter, type ApiDeps } from '../context';
import { errors, json } from '../openapi';

// Read-only views of the ledger for internal roles. Balances are signed: debit positive, credit
// negative (a wallet, a liability, shows its funds as a negative number).

const BalanceJson = z.object({
  accountKind: z.enum(ACCOUNT_KINDS), owner: z.string(), currency: z.string(),
  balance: z.string().openapi({ description: 'Net of the account, debit positive, exact' }), postings: z.number().int(),
}).openapi('LedgerBalance');

export function ledgerRoutes(deps: ApiDeps) {
  const app = newRouter();

  app.openapi(
    createRoute({
      method: 'get', path: '/balances', security: bearerSecurity, summary: "Balances of an owner's ledger accounts (kind x currency)",
      request: { query: z.object({ owner: z.string().min(1).openapi({ description: 'A customer account, or a wallet id' }) }) },
      responses: { 200: json(z.object({ owner: z.string(), items: z.array(BalanceJson) }), 'Balances'), ...errors },
    }),
    async (c) => {
      requireRole(c.get('caller').role, ['admin', 'billing_manager', 'ops'], 'read ledger balances');
      const { owner } = c.req.valid('query');
      return c.json({ owner, items: await ownerBalances(deps.database.sql, owner) }, 200);
    },
  );

  return app;
}
