import { createRoute, z } from '@hono/zod-openapi';
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { partyScope, seesParty, type Caller, type Role } from '../../domain/access';
import { BILLING_DIRECTIVES, RUN_ACCOUNT_STATUSES, type BillingAction } from '../../domain/billing';
import { IllegalTransitionError, NotFoundError } from '../../domain/errors';
import { applyRecordAction, findBillableRecord, insertBillableRecords, recordEvents } from '../../db/queries/billable-records';
import { findRun, insertRun, runAccounts, runCounts, type RunRow } from '../../db/queries/billing-runs';
import { findInvoice, issueCreditNote, listInvoices } from '../../db/queries/invoices';
import { approveUpdate, billingRun, progressQuery, retryFailedUpdate, type Approver } from '../../workflows/billing-run';
import { billingRunWorkflowId, billingScheduleId, thresholdBillingWorkflowId } from '../../workflows/shared';
import { recordsStoredSignal, thresholdBilling } from '../../workflows/threshold-billing';
import { requireRole } from '../auth';
import { bearerSecurity, newRouter, type ApiDeps } from '../context';
import { conflict, errors, json } from '../openapi';
import { asIllegalTransition } from './usage-file-shared';

// Billing (SPEC §2.3, §2.5): billing runs (start, progress, failures, approve, retry failed),
// invoices with lines and statements, credit notes, and billable records with their directive
// actions. Billing managers act on their own party's accounts; admins on any; ops only read (every
// write route refuses ops first). Another party's run, invoice or record answers 404
// (domain/access.ts seesParty).

const writers: readonly Role[] = ['admin', 'billing_manager'];
const readers: readonly Role[] = ['admin', 'billing_manager', 'ops'];
const Any = z.record(z.string(), z.unknown());
const IdParam = z.object({ id: z.string().min(1).openapi({ param: { name: 'id', in: 'path' } }) });
const LocalDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date such as "2024-04-03"');
const Decimal = z.string().regex(/^-?\d{1,20}(\.\d{1,12})?$/, 'a decimal string such as "10.00"');
const Instant = z.iso.datetime({ offset: true });

const StartRunBody = z.strictObject({
  runDate: LocalDate.openapi({ description: 'Local date the invoices are built on: billing day + 2 (SPEC §5 item 30)' }),
  ownerPartyId: z.string().min(1).optional().openapi({ description: 'Admins only; billing managers bill their own party' }),
  id: z.string().regex(/^[A-Za-z0-9._:-]{1,120}$/).optional().openapi({ description: 'Default: BR-{owner}-{runDate}, so a repeated start finds the first run' }),
  graceSeconds: z.number().int().min(0).max(60 * 86_400).default(0),
  notifyEmail: z.email().optional(),
  batchSize: z.number().int().min(1).max(5_000).default(500),
  parallelism: z.number().int().min(1).max(32).default(4),
}).openapi('StartBillingRun');

const ScheduleBody = z.strictObject({
  hourUtc: z.number().int().min(0).max(23).default(0), minuteUtc: z.number().int().min(0).max(59).default(5),
  graceSeconds: z.number().int().min(0).max(60 * 86_400).default(0), notifyEmail: z.email().optional(),
  batchSize: z.number().int().min(1).max(5_000).default(500), parallelism: z.number().int().min(1).max(32).default(4),
}).openapi('BillingSchedule');

const RecordIn = z.strictObject({
  id: z.string().min(1).max(300), accountId: z.string().min(1), subscriptionId: z.string().min(1), serviceId: z.string().min(1),
  currency: z.string().regex(/^[A-Z]{3}$/), category: z.string().min(1), item: z.string().min(1), unit: z.string().min(1),
  quantity: Decimal, amount: Decimal, usageAt: Instant, billingEffectiveAt: Instant, sourceRef: z.string().default('api'),
  directive: z.enum(BILLING_DIRECTIVES).optional(),
});

const Adjustment = z.strictObject({
  quantity: Decimal.optional(), service: z.string().min(1).optional(), item: z.string().min(1).optional(),
  category: z.string().min(1).optional(), billingEffectiveAt: Instant.optional(),
});
const ActionBody = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('setBillable') }),
  z.strictObject({ kind: z.literal('setCreditable') }),
  z.strictObject({ kind: z.literal('setNotToBeBilled') }),
  z.strictObject({ kind: z.literal('cancel') }),
  z.strictObject({ kind: z.literal('adjust'), changes: Adjustment }),
]).openapi('BillableRecordAction');

const approver = (caller: Caller): Approver => ({ partyId: caller.partyId, keyId: caller.keyId });

/**
 * Runs an Update on a billing run; its refusals, and a run whose workflow has ended (its retry window
 * is over or nothing is left to retry), are 409 ILLEGAL_TRANSITION with the current phase.
 */
export async function executeRunUpdate<R>(
  temporal: Client, run: Pick<RunRow, 'id' | 'phase'>, update: typeof approveUpdate | typeof retryFailedUpdate, action: string, who: Approver,
): Promise<R> {
  const handle = temporal.workflow.getHandle(billingRunWorkflowId(run.id));
  try {
    return await handle.executeUpdate(update as typeof approveUpdate, { args: [who] }) as R;
  } catch (err) {
    const refused = asIllegalTransition(err, action);
    if (refused) throw refused;
    const { status } = await handle.describe();
    if (status.name !== 'RUNNING') throw new IllegalTransitionError(action, run.phase, `Cannot ${action} billing run ${run.id}: it is ${run.phase} and closed`);
    throw err;
  }
}

export function billingRoutes(deps: ApiDeps) {
  const app = newRouter();
  const { sql } = deps.database;

  const visibleRun = async (caller: Caller, id: string): Promise<RunRow> => {
    const run = await findRun(sql, id);
    if (!run || !seesParty(caller, run.ownerPartyId)) throw new NotFoundError('Billing run', id);
    return run;
  };
  const runView = async (run: RunRow) => {
    const handle = deps.temporal.workflow.getHandle(billingRunWorkflowId(run.id));
    const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), 5_000).unref());
    const progress = await Promise.race([handle.query(progressQuery), timeout]).catch(() => null);
    return { ...run, counts: await runCounts(sql, run.id), progress };
  };

  app.openapi(createRoute({
    method: 'post', path: '/billing-runs', security: bearerSecurity, summary: 'Start a billing run for the accounts due on a date',
    request: { body: { content: { 'application/json': { schema: StartRunBody } } } },
    responses: { 202: json(Any, 'Run started (or the run with this id)'), ...errors },
  }), async (c) => {
    const caller = c.get('caller');
    requireRole(caller.role, writers, 'start billing runs');
    const body = c.req.valid('json');
    const ownerPartyId = caller.role === 'admin' && body.ownerPartyId ? body.ownerPartyId : caller.partyId;
    const id = body.id ?? `BR-${ownerPartyId}-${body.runDate}`;
    const { run } = await insertRun(sql, {
      id, ownerPartyId, runDate: body.runDate, graceSeconds: body.graceSeconds, notifyEmail: body.notifyEmail ?? null, startedBy: `${caller.partyId}/${caller.keyId}`,
    });
    if (!seesParty(caller, run.ownerPartyId)) throw new NotFoundError('Billing run', id);
    await deps.temporal.workflow.start(billingRun, {
      taskQueue: deps.taskQueue, workflowId: billingRunWorkflowId(id),
      args: [{ runId: id, ownerPartyId, runDate: run.runDate, graceSeconds: run.graceSeconds, batchSize: body.batchSize, parallelism: body.parallelism }],
    }).catch((err: unknown) => { if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err; });
    return c.json(await runView(run), 202);
  });

  app.openapi(createRoute({
    method: 'put', path: '/billing-schedule', security: bearerSecurity,
    summary: "Run billing every day at a UTC time over the caller's accounts whose build day (billing day + 2) has begun in their own time zone (a Temporal schedule)",
    request: { body: { content: { 'application/json': { schema: ScheduleBody } } } },
    responses: { 200: json(Any, 'The schedule'), ...errors },
  }), async (c) => {
    const caller = c.get('caller');
    requireRole(caller.role, writers, 'schedule billing runs');
    const body = c.req.valid('json');
    const scheduleId = billingScheduleId(caller.partyId);
    const options = {
      spec: { calendars: [{ hour: body.hourUtc, minute: body.minuteUtc }] },
      action: {
        type: 'startWorkflow' as const, workflowType: billingRun, taskQueue: deps.taskQueue, workflowId: `billing-run/scheduled-${caller.partyId}`,
        args: [{ ownerPartyId: caller.partyId, graceSeconds: body.graceSeconds, notifyEmail: body.notifyEmail, batchSize: body.batchSize, parallelism: body.parallelism }] as const,
      },
      policies: { overlap: ScheduleOverlapPolicy.ALLOW_ALL },
    };
    try {
      await deps.temporal.schedule.create({ scheduleId, ...options });
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      await deps.temporal.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, ...options }));
    }
    return c.json({ scheduleId, hourUtc: body.hourUtc, minuteUtc: body.minuteUtc }, 200);
  });

  app.openapi(createRoute({
    method: 'get', path: '/billing-runs/{id}', security: bearerSecurity, summary: 'A billing run: phase, per-status counts, live progress',
    request: { params: IdParam }, responses: { 200: json(Any, 'The run'), ...errors },
  }), async (c) => {
    requireRole(c.get('caller').role, readers, 'read billing runs');
    return c.json(await runView(await visibleRun(c.get('caller'), c.req.valid('param').id)), 200);
  });

  app.openapi(createRoute({
    method: 'get', path: '/billing-runs/{id}/accounts', security: bearerSecurity, summary: "A run's accounts, e.g. the failed ones with their reasons",
    request: { params: IdParam, query: z.object({ status: z.enum(RUN_ACCOUNT_STATUSES).optional(), limit: z.coerce.number().int().min(1).max(10_000).default(1_000) }) },
    responses: { 200: json(Any, 'Accounts'), ...errors },
  }), async (c) => {
    requireRole(c.get('caller').role, readers, 'read billing runs');
    const run = await visibleRun(c.get('caller'), c.req.valid('param').id);
    const { status, limit } = c.req.valid('query');
    return c.json({ runId: run.id, items: await runAccounts(sql, run.id, status ?? null, limit) }, 200);
  });

  for (const [action, update] of [['approve', approveUpdate], ['retry', retryFailedUpdate]] as const) {
    app.openapi(createRoute({
      method: 'post', path: `/billing-runs/{id}/${action}`, security: bearerSecurity,
      summary: action === 'approve' ? 'Approve the drafts: the run finalises them' : 'Work the failed and parked accounts again, in the same run',
      request: { params: IdParam }, responses: { 200: json(Any, 'Done'), ...errors, ...conflict },
    }), async (c) => {
      const caller = c.get('caller');
      requireRole(caller.role, writers, `${action} billing runs`);
      const run = await visibleRun(caller, c.req.valid('param').id);
      const result = await executeRunUpdate<Record<string, unknown>>(deps.temporal, run, update, action, approver(caller));
      return c.json(result, 200);
    });
  }

  app.openapi(createRoute({
    method: 'get', path: '/invoices', security: bearerSecurity, summary: 'Invoices and credit notes',
    request: { query: z.object({ accountId: z.string().optional(), runId: z.string().optional(), limit: z.coerce.number().int().min(1).max(10_000).default(1_000) }) },
    responses: { 200: json(Any, 'Invoices'), ...errors },
  }), async (c) => {
    const caller = c.get('caller');
    requireRole(caller.role, readers, 'read invoices');
    return c.json({ items: await listInvoices(sql, { ownerPartyId: partyScope(caller), ...c.req.valid('query') }) }, 200);
  });

  app.openapi(createRoute({
    method: 'get', path: '/invoices/{id}', security: bearerSecurity, summary: 'An invoice with its lines and the statement of every posting behind each line',
    request: { params: IdParam }, responses: { 200: json(Any, 'The invoice'), ...errors },
  }), async (c) => {
    const caller = c.get('caller');
    requireRole(caller.role, readers, 'read invoices');
    const invoice = await findInvoice(sql, c.req.valid('param').id);
    if (!invoice || !seesParty(caller, invoice.ownerPartyId)) throw new NotFoundError('Invoice', c.req.valid('param').id);
    return c.json(invoice, 200);
  });

  app.openapi(createRoute({
    method: 'post', path: '/invoices/{id}/credit-notes', security: bearerSecurity, summary: 'Credit lines of a final invoice (all by default)',
    request: { params: IdParam, body: { content: { 'application/json': { schema: z.strictObject({ lineIds: z.array(z.string()).min(1).optional() }) } }, required: false } },
    responses: { 201: json(Any, 'Credit note issued'), 200: json(Any, 'The same lines were credited before'), ...errors, ...conflict },
  }), async (c) => {
    const caller = c.get('caller');
    requireRole(caller.role, writers, 'issue credit notes');
    const { id } = c.req.valid('param');
    const invoice = await findInvoice(sql, id);
    if (!invoice || !seesParty(caller, invoice.ownerPartyId)) throw new NotFoundError('Invoice', id);
    const result = await issueCreditNote(sql, id, c.req.valid('json').lineIds, new Date().toISOString());
    const body: Record<string, unknown> = { ...result, creditNote: (await findInvoice(sql, result!.creditNoteId)) ?? null };
    return result!.created ? c.json(body, 201) : c.json(body, 200);
  });

  app.openapi(createRoute({
    method: 'post', path: '/billable-records', security: bearerSecurity,
    summary: 'Store rated records (mediated feeds); subscriptions with a billing term are checked for threshold billing',
    request: { body: { content: { 'application/json': { schema: z.strictObject({ records: z.array(RecordIn).min(1).max(10_000) }) } } } },
    responses: { 201: json(Any, 'Stored (ids already stored are left as they are)'), ...errors },
  }), async (c) => {
    const caller = c.get('caller');
    requireRole(caller.role, writers, 'store billable records');
    const { records } = c.req.valid('json');
    const accounts = [...new Set(records.map((r) => r.accountId))];
    const owned = await sql<Array<{ id: string; owner_party_id: string }>>`select id, owner_party_id from customer_accounts where id = any(${accounts})`;
    for (const account of accounts) {
      const row = owned.find((o) => o.id === account);
      if (!row || !seesParty(caller, row.owner_party_id)) throw new NotFoundError('Customer account', account);
    }
    const inserted = await insertBillableRecords(sql, records.map((r) => ({ ...r, source: 'feed' as const })));
    const termed = await sql<Array<{ id: string; account_id: string }>>`
      select id, account_id from subscriptions where id = any(${[...new Set(records.map((r) => r.subscriptionId))]}) and billing_term is not null`;
    for (const account of new Set(termed.map((t) => t.account_id))) {
      await deps.temporal.workflow.signalWithStart(thresholdBilling, {
        taskQueue: deps.taskQueue, workflowId: thresholdBillingWorkflowId(account), args: [{ accountId: account }],
        signal: recordsStoredSignal, signalArgs: [{ subscriptionIds: termed.filter((t) => t.account_id === account).map((t) => t.id) }],
      });
    }
    return c.json({ inserted: inserted.length, ids: inserted }, 201);
  });

  const visibleRecord = async (caller: Caller, id: string) => {
    const record = await findBillableRecord(sql, id);
    if (!record || !seesParty(caller, record.ownerPartyId)) throw new NotFoundError('Billable record', id);
    return record;
  };

  app.openapi(createRoute({
    method: 'get', path: '/billable-records/{id}', security: bearerSecurity, summary: 'A billable record, the actions allowed now, and its history',
    request: { params: IdParam }, responses: { 200: json(Any, 'The record'), ...errors },
  }), async (c) => {
    requireRole(c.get('caller').role, readers, 'read billable records');
    const { ownerPartyId: _o, ...record } = await visibleRecord(c.get('caller'), c.req.valid('param').id);
    return c.json({ ...record, events: await recordEvents(sql, record.recordId) }, 200);
  });

  app.openapi(createRoute({
    method: 'post', path: '/billable-records/{id}/actions', security: bearerSecurity,
    summary: 'Set billable / creditable / not to be billed, adjust or cancel; a charged record gets an exactly opposite reversal',
    request: { params: IdParam, body: { content: { 'application/json': { schema: ActionBody } } } },
    responses: { 200: json(Any, 'The record after the action and the postings made'), ...errors, ...conflict },
  }), async (c) => {
    const caller = c.get('caller');
    requireRole(caller.role, writers, 'change billable records');
    const record = await visibleRecord(caller, c.req.valid('param').id);
    const result = await applyRecordAction(sql, { recordId: record.recordId, action: c.req.valid('json') as BillingAction, actor: `${caller.partyId}/${caller.keyId}` });
    return c.json(result, 200);
  });

  return app;
}
