import { createRoute, z } from '@hono/zod-openapi';
import type { Role } from '../../domain/access';
import { allocate, allocationReport, OWNER_KINDS, UNASSIGNED_OWNER_ID, validateOwners, type AllocationReportRow, type AllocationRule } from '../../domain/allocation';
import { DomainError, ValidationError } from '../../domain/errors';
import { decimalsOf, formatFixed, money } from '../../domain/money';
import { findRule, insertCharge, insertOwner, insertRule, listCharges, listOwners, toOwner } from '../../db/queries/allocation';
import { requireRole } from '../auth';
import { bearerSecurity, newRouter, type ApiDeps } from '../context';
import { binary, conflict, errors, json } from '../openapi';

// Cost allocation (SPEC §4.2, items 54-55): owners, split rules, charges split by them, and the
// report per period and owner rolled up the hierarchy, as JSON or CSV. Everything belongs to the
// caller's party; admins and billing managers write, ops read. The split itself is domain/allocation.ts.

const writers: readonly Role[] = ['admin', 'billing_manager'];
const readers: readonly Role[] = ['admin', 'billing_manager', 'ops'];

const Id = z.string().regex(/^[A-Za-z0-9._:-]{1,100}$/, 'letters, digits, . _ : - (at most 100)');
const Decimal = z.string().regex(/^\d{1,20}(\.\d{1,10})?$/, 'a decimal string such as "40.00"');
const Period = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month, "YYYY-MM"');
const PercentShare = z.strictObject({ ownerId: Id, percent: Decimal });
const FixedShare = z.strictObject({ ownerId: Id, amount: Decimal });
const RuleJson = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('percentage'), shares: z.array(PercentShare).min(1), remainderOwnerId: Id.optional() }),
  z.strictObject({ kind: z.literal('fixed'), amounts: z.array(FixedShare).min(1) }),
  z.strictObject({ kind: z.literal('fixedPlusRemainder'), amounts: z.array(FixedShare).min(1), shares: z.array(PercentShare).min(1), remainderOwnerId: Id.optional() }),
]).openapi('AllocationRule');

const OwnerBody = z.strictObject({ id: Id, kind: z.enum(OWNER_KINDS), parentId: Id.optional(), name: z.string().min(1).max(200) }).openapi('AllocationOwner');
const RuleBody = z.strictObject({ id: Id, name: z.string().min(1).max(200), rule: RuleJson }).openapi('AllocationRuleDefinition');
const ChargeBody = z.strictObject({
  id: Id, period: Period, amount: z.string().regex(/^-?\d{1,20}(\.\d{1,10})?$/, 'a decimal string, negative for a credit'),
  ruleId: Id, description: z.string().max(500).optional(),
}).openapi('AllocationChargeInput');
const PartJson = z.object({ ownerId: z.string(), amount: z.string() });
const ChargeJson = z.object({ id: z.string(), period: z.string(), amount: z.string(), ruleId: z.string(), description: z.string(), parts: z.array(PartJson) }).openapi('AllocationCharge');
const ReportRowJson = z.object({
  period: z.string(), ownerId: z.string(), ownerKind: z.string(), drillDownKey: z.string(), depth: z.number().int(),
  directAmount: z.string(), totalAmount: z.string(), chargeIds: z.array(z.string()),
}).openapi('AllocationReportRow');

/** Amounts at two decimals at least (45.00), more when exact amounts have more; never rounded. */
const atMoneyScale = (value: string) => formatFixed(money(value), Math.max(2, decimalsOf(value)));
const reportRowJson = (row: AllocationReportRow) => ({ ...row, directAmount: atMoneyScale(row.directAmount), totalAmount: atMoneyScale(row.totalAmount) });

const csvField = (value: string) => (/[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
function reportCsv(rows: ReturnType<typeof reportRowJson>[]): string {
  const header = 'period,owner_id,owner_kind,drill_down_key,depth,direct_amount,total_amount,charge_ids';
  const lines = rows.map((r) => [r.period, r.ownerId, r.ownerKind, r.drillDownKey, String(r.depth), r.directAmount, r.totalAmount, r.chargeIds.join(' ')].map(csvField).join(','));
  return `${[header, ...lines].join('\r\n')}\r\n`;
}

/** JSON with object keys sorted: jsonb does not keep key order, so stored and sent compare by content. */
const canonical = (value: unknown): string => JSON.stringify(value, (_key, v: unknown) =>
  v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v);
const sameJson = (a: unknown, b: unknown) => canonical(a) === canonical(b);
const exists = (what: string, id: string) => new DomainError('CONFLICT', `${what} ${id} exists with other content`, { id });

function ruleOwnerIds(rule: AllocationRule): string[] {
  const shares = rule.kind === 'fixed' ? [] : [...rule.shares.map((s) => s.ownerId), ...(rule.remainderOwnerId ? [rule.remainderOwnerId] : [])];
  return [...(rule.kind === 'percentage' ? [] : rule.amounts.map((a) => a.ownerId)), ...shares];
}

export function allocationRoutes(deps: ApiDeps) {
  const app = newRouter();
  const db = deps.database.db;

  app.openapi(
    createRoute({
      method: 'post', path: '/owners', security: bearerSecurity, summary: 'Add an owner (organisation, department, cost centre, project, person)',
      request: { body: { content: { 'application/json': { schema: OwnerBody } }, required: true } },
      responses: { 201: json(OwnerBody, 'Added'), 200: json(OwnerBody, 'Already there with this content'), ...errors, ...conflict },
    }),
    async (c) => {
      const caller = c.get('caller');
      requireRole(caller.role, writers, 'define allocation owners');
      const body = c.req.valid('json');
      const owners = (await listOwners(db, caller.partyId)).map(toOwner);
      const owner = { id: body.id, kind: body.kind, parentId: body.parentId ?? null };
      const stored = owners.find((o) => o.id === owner.id);
      if (!stored) validateOwners([...owners, owner]);
      const { row, created } = await insertOwner(db, { partyId: caller.partyId, ...owner, name: body.name });
      if (!sameJson([row.kind, row.parentId, row.name], [owner.kind, owner.parentId, body.name])) throw exists('owner', owner.id);
      return c.json({ id: row.id, kind: row.kind, name: row.name, ...(row.parentId ? { parentId: row.parentId } : {}) }, created ? 201 : 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post', path: '/rules', security: bearerSecurity, summary: 'Define a split rule (percentage, fixed, fixed plus remainder)',
      request: { body: { content: { 'application/json': { schema: RuleBody } }, required: true } },
      responses: { 201: json(RuleBody, 'Defined'), 200: json(RuleBody, 'Already there with this content'), ...errors, ...conflict },
    }),
    async (c) => {
      const caller = c.get('caller');
      requireRole(caller.role, writers, 'define allocation rules');
      const body = c.req.valid('json');
      const known = new Set((await listOwners(db, caller.partyId)).map((o) => o.id));
      const unknown = ruleOwnerIds(body.rule).filter((id) => id !== UNASSIGNED_OWNER_ID && !known.has(id));
      if (unknown.length > 0) throw new ValidationError(`unknown owners: ${unknown.join(', ')}`, unknown.map((id) => ({ path: 'body.rule', message: `unknown owner ${id}` })));
      const { row, created } = await insertRule(db, { partyId: caller.partyId, id: body.id, name: body.name, rule: body.rule });
      if (!sameJson([row.name, row.rule], [body.name, body.rule])) throw exists('rule', body.id);
      return c.json({ id: row.id, name: row.name, rule: body.rule }, created ? 201 : 200); // equal to the stored rule (checked above)
    },
  );

  app.openapi(
    createRoute({
      method: 'post', path: '/charges', security: bearerSecurity, summary: 'Record a charge of a period, split by a rule (parts always sum to the charge)',
      request: { body: { content: { 'application/json': { schema: ChargeBody } }, required: true } },
      responses: { 201: json(ChargeJson, 'Recorded and split'), 200: json(ChargeJson, 'Already recorded with this content'), ...errors, ...conflict },
    }),
    async (c) => {
      const caller = c.get('caller');
      requireRole(caller.role, writers, 'record allocation charges');
      const body = c.req.valid('json');
      const rule = await findRule(db, caller.partyId, body.ruleId);
      if (!rule) throw new ValidationError(`rule ${body.ruleId} does not exist`, [{ path: 'body.ruleId', message: 'unknown rule' }]);
      const parts = allocate(body.amount, rule.rule);
      const { row, created } = await insertCharge(db, { partyId: caller.partyId, id: body.id, period: body.period, amount: body.amount, description: body.description ?? '', ruleId: body.ruleId, parts });
      if (!sameJson([row.period, row.ruleId, row.description], [body.period, body.ruleId, body.description ?? '']) || !money(row.amount).equals(money(body.amount))) throw exists('charge', body.id);
      return c.json({ id: row.id, period: row.period, amount: row.amount, ruleId: row.ruleId, description: row.description, parts: row.parts }, created ? 201 : 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get', path: '/report', security: bearerSecurity,
      summary: 'Allocated amounts of a period per owner, direct and rolled up the hierarchy (format=csv for CSV)',
      request: { query: z.object({ period: Period, format: z.enum(['json', 'csv']).optional() }) },
      responses: { 200: { ...json(z.object({ period: z.string(), items: z.array(ReportRowJson) }), 'The report'), ...binary('text/csv', 'The report as CSV') }, ...errors },
    }),
    async (c) => {
      const caller = c.get('caller');
      requireRole(caller.role, readers, 'read allocation reports');
      const { period, format } = c.req.valid('query');
      const [owners, charges] = await Promise.all([listOwners(db, caller.partyId), listCharges(db, caller.partyId, period)]);
      const rows = allocationReport(charges.map((ch) => ({ period: ch.period, chargeId: ch.id, parts: ch.parts })), owners.map(toOwner)).map(reportRowJson);
      if (format === 'csv') {
        return c.body(reportCsv(rows), 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="allocation-${period}.csv"` });
      }
      return c.json({ period, items: rows }, 200);
    },
  );

  return app;
}
