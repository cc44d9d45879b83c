import { createRoute, z } from '@hono/zod-openapi';
import type { Role } from '../../domain/access';
import {
  allocate, allocationReport, OWNER_KINDS, ownerWithDescendants, periodBounds, UNASSIGNED_OWNER_ID, usageReport, validateOwners,
  type AllocationReportRow, type AllocationRule, type UsageReportRow,
} from '../../domain/allocation';
import { DomainError, ValidationError } from '../../domain/errors';
import { decimalsOf, formatFixed, money } from '../../domain/money';
import { csvRecord, exportCsvRecord, type ExportColumnType } from '../../domain/usage-file/export-escape';
import {
  drillDownPage, findRule, hasUsageOwner, insertCharge, insertOwner, insertRule, listCharges, listOwners, toOwner, usageByOwner,
  type DrillDownItem, type DrillDownPosition,
} from '../../db/queries/allocation';
import { requireRole } from '../auth';
import { bearerSecurity, newRouter, type ApiDeps } from '../context';
import { binary, conflict, errors, json } from '../openapi';

// Cost allocation (SPEC §4.2, items 54-55): owners, split rules, charges split by them, and the
// report per period and owner rolled up the hierarchy, as JSON or CSV, beside the usage mediation
// assigned to owners (per currency), with a drill-down to the charge parts and records behind an
// owner's amounts. Everything belongs to the caller's party (usage: its own feeds); admins and
// billing managers write, ops read. The split and the roll-ups are domain/allocation.ts.

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

const UsageRowJson = z.object({
  period: z.string(), ownerId: z.string(), ownerKind: z.string(), drillDownKey: z.string(), depth: z.number().int(), currency: z.string(),
  directAmount: z.string(), totalAmount: z.string(), directRecordCount: z.number().int(), totalRecordCount: z.number().int(),
}).openapi('AllocationUsageRow');
const usageRowJson = (row: UsageReportRow) => ({ ...row, directAmount: atMoneyScale(row.directAmount), totalAmount: atMoneyScale(row.totalAmount) });

type Cell = { value: string; type: ExportColumnType };
const text = (value: string | null): Cell => ({ value: value ?? '', type: 'text' });
const num = (value: string | number | null): Cell => ({ value: value === null ? '' : String(value), type: 'number' });
/** CSV (RFC 4180, CRLF) with every cell escaped against formula injection (usage-file exports' helper). */
const toCsv = (header: readonly string[], rows: readonly Cell[][]) => [csvRecord(header), ...rows.map(exportCsvRecord)].join('');

/** One table: `source` charge (currency and record counts empty) or usage (charge ids empty). */
function reportCsv(rows: ReturnType<typeof reportRowJson>[], usage: ReturnType<typeof usageRowJson>[]): string {
  const header = ['source', 'period', 'owner_id', 'owner_kind', 'drill_down_key', 'depth', 'currency', 'direct_amount', 'total_amount', 'direct_record_count', 'total_record_count', 'charge_ids'];
  return toCsv(header, [
    ...rows.map((r) => [text('charge'), text(r.period), text(r.ownerId), text(r.ownerKind), text(r.drillDownKey), num(r.depth), text(''), num(r.directAmount), num(r.totalAmount), num(null), num(null), text(r.chargeIds.join(' '))]),
    ...usage.map((u) => [text('usage'), text(u.period), text(u.ownerId), text(u.ownerKind), text(u.drillDownKey), num(u.depth), text(u.currency), num(u.directAmount), num(u.totalAmount), num(u.directRecordCount), num(u.totalRecordCount), text('')]),
  ]);
}

const DrillDownItemJson = z.object({
  source: z.enum(['charge', 'usage']), ref: z.string(), ownerId: z.string(), amount: z.string().nullable(), currency: z.string().nullable(),
  usageAt: z.string().nullable(), serviceIdentifier: z.string().nullable(), category: z.string().nullable(), description: z.string().nullable(), ruleId: z.string().nullable(),
}).openapi('AllocationDrillDownItem');
const drillDownItemJson = ({ position: _position, ...item }: DrillDownItem) => item;
function drillDownCsv(items: readonly DrillDownItem[]): string {
  const header = ['source', 'ref', 'owner_id', 'amount', 'currency', 'usage_at', 'service_identifier', 'category', 'description', 'rule_id'];
  return toCsv(header, items.map((i) => [text(i.source), text(i.ref), text(i.ownerId), num(i.amount), text(i.currency), text(i.usageAt), text(i.serviceIdentifier), text(i.category), text(i.description), text(i.ruleId)]));
}

const encodeCursor = (p: DrillDownPosition) => Buffer.from(JSON.stringify([p.source, p.key, p.n])).toString('base64url');
function decodeCursor(cursor: string): DrillDownPosition {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    value = null;
  }
  if (!Array.isArray(value) || value.length !== 3 || (value[0] !== 0 && value[0] !== 1) || typeof value[1] !== 'string' || !Number.isInteger(value[2])) {
    throw new ValidationError('query.cursor: not a cursor of this API', [{ path: 'query.cursor', message: 'bad cursor' }]);
  }
  return { source: value[0], key: value[1], n: value[2] as number };
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
  const sql = deps.database.sql;

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
      summary: 'Allocated amounts of a period per owner, direct and rolled up the hierarchy, and usage per owner and currency (format=csv for CSV)',
      request: { query: z.object({ period: Period, format: z.enum(['json', 'csv']).optional() }) },
      responses: { 200: { ...json(z.object({ period: z.string(), items: z.array(ReportRowJson), usage: z.array(UsageRowJson) }), 'The report'), ...binary('text/csv', 'The report as CSV') }, ...errors },
    }),
    async (c) => {
      const caller = c.get('caller');
      requireRole(caller.role, readers, 'read allocation reports');
      const { period, format } = c.req.valid('query');
      const { startAt, endAt } = periodBounds(period);
      const [owners, charges, usage] = await Promise.all([listOwners(db, caller.partyId), listCharges(db, caller.partyId, period), usageByOwner(sql, caller.partyId, startAt, endAt)]);
      const rows = allocationReport(charges.map((ch) => ({ period: ch.period, chargeId: ch.id, parts: ch.parts })), owners.map(toOwner)).map(reportRowJson);
      const usageRows = usageReport(period, usage, owners.map(toOwner)).map(usageRowJson);
      if (format === 'csv') {
        return c.body(reportCsv(rows, usageRows), 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="allocation-${period}.csv"` });
      }
      return c.json({ period, items: rows, usage: usageRows }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get', path: '/report/records', security: bearerSecurity,
      summary: "What lies behind an owner's amounts in a period: its charge parts, then its usage records (keyset cursor; format=csv for CSV)",
      request: {
        query: z.object({
          period: Period, ownerId: z.string().min(1).max(200), includeDescendants: z.enum(['true', 'false']).optional(), format: z.enum(['json', 'csv']).optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100), cursor: z.string().max(1000).optional(),
        }),
      },
      responses: {
        200: {
          ...json(z.object({ period: z.string(), ownerId: z.string(), ownerIds: z.array(z.string()), items: z.array(DrillDownItemJson), nextCursor: z.string().nullable() }), 'A page'),
          ...binary('text/csv', 'A page as CSV; the next cursor in the x-next-cursor header'),
        },
        ...errors,
      },
    }),
    async (c) => {
      const caller = c.get('caller');
      requireRole(caller.role, readers, 'read allocation reports');
      const q = c.req.valid('query');
      const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
      const owners = (await listOwners(db, caller.partyId)).map(toOwner);
      const inHierarchy = owners.some((o) => o.id === q.ownerId);
      const ownerIds = q.includeDescendants === 'true' ? ownerWithDescendants(owners, q.ownerId) : [q.ownerId];
      const rows = await drillDownPage(sql, { partyId: caller.partyId, period: q.period, ...periodBounds(q.period), ownerIds, after, limit: q.limit });
      const known = inHierarchy || q.ownerId === UNASSIGNED_OWNER_ID || rows.length > 0 || (await hasUsageOwner(sql, caller.partyId, q.ownerId));
      if (!known) throw new DomainError('NOT_FOUND', `owner ${q.ownerId} is neither in the owner hierarchy nor the owner of any usage record`, { what: 'Allocation owner', id: q.ownerId });
      const page = rows.slice(0, q.limit);
      const last = page[page.length - 1];
      const nextCursor = rows.length > q.limit && last ? encodeCursor(last.position) : null;
      if (q.format === 'csv') {
        return c.body(drillDownCsv(page), 200, {
          'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="allocation-${q.period}-records.csv"`, ...(nextCursor ? { 'x-next-cursor': nextCursor } : {}),
        });
      }
      return c.json({ period: q.period, ownerId: q.ownerId, ownerIds, items: page.map(drillDownItemJson), nextCursor }, 200);
    },
  );

  return app;
}
