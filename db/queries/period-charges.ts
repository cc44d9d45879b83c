import { periodClosePostings } from '../../domain/billing/period-postings';
import { DomainError } from '../../domain/errors';
import { entryKeys } from '../../domain/ledger';
import { mapRawRecord, parseFeedDefinition, type FeedDefinition, type RawRow } from '../../domain/mediation';
import { computePeriodCharges, resolveRatingPlans, type PlanAssignment, type RatePlan, type RatedUsage } from '../../domain/rating';
import { collectCharges } from '../../domain/rating/compile';
import type { InvoiceTarget } from './billing';
import { insertPostings, loadScopePostings, type SqlOrTx } from './ledger';

// Period charges at period close (DESIGN "Rating"): per subscription of a cycle target, the period's
// rated records in usage-time order go through the rating engine's computePeriodCharges with the plan
// chain in force at the period start (the same resolution as rating), and the period-level lines
// (charges, discounts, allowances, the minimum-commitment true-up) are posted as a delta against what
// the period already posted (domain/billing/period-postings): a retry or a second run posts nothing.
// The rated records are the billable records; records whose price is a period charge ("deferred")
// have none and are read from mediation: their usage is mapped again from the raw row with the feed
// version they were read with (mediated_records keeps no quantity for them).

interface SubscriptionRow { subscription_id: string; account_id: string; groups: string[]; period_start_at: string; period_end_at: string }
interface DeferredRow { subscription_id: string; record_id: string; currency: string; category: string; raw: string; feed_key: string; definition: unknown }
interface RecordRow { subscription_id: string; id: string; usage_at: string; item: string; category: string; quantity: string; unit: string; amount: string; currency: string }

const iso = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** Whether anything of the plan chain is priced at period level (else a period has no line to post). */
const hasPeriodLevel = (plans: readonly RatePlan[]) =>
  plans.some((plan) => (plan.charges?.length ?? 0) > 0 || plan.minimumCommitment !== undefined || (plan.discounts ?? []).some((d) => d.level === 'period'));

async function planInputs(sql: SqlOrTx): Promise<{ assignments: PlanAssignment[]; versions: RatePlan[] }> {
  const assignments = await sql<Array<{ planId: string; scope: PlanAssignment['scope']; targetId: string; validFrom: string; validTo: string | null }>>`
    select plan_id as "planId", scope, target_id as "targetId", ${sql.unsafe(iso('valid_from'))} as "validFrom", ${sql.unsafe(iso('valid_to'))} as "validTo"
    from rate_plan_assignments order by id`;
  const versions = await sql<Array<{ definition: RatePlan }>>`select definition from rate_plan_versions order by plan_id, version`;
  return {
    assignments: assignments.map((a) => ({
      planId: a.planId, scope: a.scope, ...(a.targetId ? { targetId: a.targetId } : {}), validFrom: a.validFrom, ...(a.validTo ? { validTo: a.validTo } : {}),
    })),
    versions: versions.map((v) => v.definition),
  };
}

/**
 * Posts the period charges of the cycle targets' subscriptions for the targets' periods (records:
 * rated, posted, to be billed, starting in the period). Throws a DomainError for a plan chain that
 * cannot be resolved (the account fails with the reason); a subscription without any plan has no
 * period charges. Returns the number of postings made.
 */
export async function postPeriodCharges(sql: SqlOrTx, targets: readonly InvoiceTarget[]): Promise<number> {
  const cycles = targets.filter((t) => t.trigger === 'cycle');
  if (cycles.length === 0) return 0;
  const subscriptions = await sql.unsafe<SubscriptionRow[]>(`
    select s.id as subscription_id, s.account_id, a.customer_group_ids as groups, ${iso('t.period_start_at')} as period_start_at, ${iso('t.period_end_at')} as period_end_at
    from jsonb_to_recordset($1::jsonb) as t(account_id text, period_start_at timestamptz, period_end_at timestamptz)
    join subscriptions s on s.account_id = t.account_id join customer_accounts a on a.id = s.account_id
    order by s.id`, [JSON.stringify(cycles.map((t) => ({ account_id: t.accountId, period_start_at: t.periodStartAt, period_end_at: t.periodEndAt })))]);
  if (subscriptions.length === 0) return 0;
  const { assignments, versions } = await planInputs(sql);
  const priced = subscriptions.flatMap((s) => {
    const chain = resolveRatingPlans(assignments, versions, { subscriptionId: s.subscription_id, accountId: s.account_id, customerGroupIds: s.groups }, s.period_start_at);
    if (!chain.ok && chain.reason === 'NO_PLAN') return [];
    if (!chain.ok) throw new DomainError(chain.reason, `subscription ${s.subscription_id}: ${chain.message}`, { subscriptionId: s.subscription_id });
    return hasPeriodLevel(chain.plans) ? [{ ...s, plans: chain.plans }] : [];
  });
  if (priced.length === 0) return 0;
  const periods = JSON.stringify(priced.map((s) => ({ account_id: s.account_id, subscription_id: s.subscription_id, period_start_at: s.period_start_at, period_end_at: s.period_end_at })));
  const records = await sql.unsafe<RecordRow[]>(`
    select b.subscription_id, b.id, ${iso('b.usage_at')} as usage_at, b.item, b.category, b.quantity::text, b.unit, b.amount::text, b.currency
    from jsonb_to_recordset($1::jsonb) as t(account_id text, subscription_id text, period_start_at timestamptz, period_end_at timestamptz)
    join billable_records b on b.account_id = t.account_id and b.subscription_id = t.subscription_id
      and b.usage_at >= t.period_start_at and b.usage_at < t.period_end_at
    where b.life_cycle = 'POSTED' and b.rating_state = 'COMPLETED' and b.directive = 'TO_BE_BILLED'`, [periods]);
  const bySubscription = new Map<string, RatedUsage[]>();
  const add = (subscriptionId: string, item: RatedUsage) => {
    const items = bySubscription.get(subscriptionId);
    if (items) items.push(item);
    else bySubscription.set(subscriptionId, [item]);
  };
  for (const r of records) {
    add(r.subscription_id, {
      record: { id: r.id, start: r.usage_at, usageType: r.item, category: r.category, quantity: r.quantity, unit: r.unit },
      result: { status: 'rated', currency: r.currency, usageType: r.item, quantity: r.quantity, unit: r.unit, amount: r.amount },
    });
  }
  const charged = new Map(priced.map((s) => [s.subscription_id, collectCharges(s.plans)]));
  const withCharges = priced.filter((s) => charged.get(s.subscription_id)!.size > 0)
    .map((s) => ({ subscription_id: s.subscription_id, period_start_at: s.period_start_at, period_end_at: s.period_end_at }));
  for (const d of withCharges.length === 0 ? [] : await deferredRecords(sql, JSON.stringify(withCharges))) {
    const found = charged.get(d.subscriptionId)!.get(d.record.usageType);
    if (!found) {
      throw new DomainError('UNKNOWN_CHARGE', `record ${d.record.id} waits for a period charge of usage type ${d.record.usageType}, which the plan of subscription ${d.subscriptionId} no longer has`);
    }
    add(d.subscriptionId, { record: d.record, result: { status: 'deferred', currency: d.currency, plan: found.plan, chargeId: found.charge.id } });
  }
  let posted = 0;
  for (const s of priced) {
    const charges = computePeriodCharges({ plans: s.plans, items: bySubscription.get(s.subscription_id) ?? [], period: { startAt: s.period_start_at, endAt: s.period_end_at } });
    const close = { accountId: s.account_id, subscriptionId: s.subscription_id, periodStartAt: s.period_start_at, periodEndAt: s.period_end_at, charges };
    const before = await loadScopePostings(sql, { entryPrefix: `${entryKeys.periodCharge(s.subscription_id, s.period_start_at)}:`, owner: s.account_id });
    posted += (await insertPostings(sql, periodClosePostings(close, before))).length;
  }
  return posted;
}

/**
 * The COMPLETED mediated records rated "deferred" of the subscriptions' periods (usage time in the
 * period), mapped again from their raw rows. A raw row that no longer maps is a data error.
 */
async function deferredRecords(sql: SqlOrTx, periods: string) {
  const rows = await sql.unsafe<DeferredRow[]>(`
    select m.subscription_id, m.record_id, m.currency, m.category, r.raw, m.feed_id || '@' || m.feed_version as feed_key, v.definition
    from jsonb_to_recordset($1::jsonb) as t(subscription_id text, period_start_at timestamptz, period_end_at timestamptz)
    join mediated_records m on m.subscription_id = t.subscription_id and m.usage_at >= t.period_start_at and m.usage_at < t.period_end_at
    join feed_raw_records r on r.load_id = m.load_id and r.row_no = m.row_no
    join feed_versions v on v.feed_id = m.feed_id and v.version = m.feed_version
    where m.status = 'COMPLETED' and m.rating ->> 'status' = 'deferred' and r.raw is not null`, [periods]);
  const feeds = new Map<string, FeedDefinition>();
  return rows.map((row) => {
    let feed = feeds.get(row.feed_key);
    if (feed === undefined) feeds.set(row.feed_key, (feed = parseFeedDefinition(row.definition)));
    const mapped = mapRawRecord(JSON.parse(row.raw) as RawRow, feed, { recordId: row.record_id });
    if (!mapped.ok) throw new DomainError('INVALID_RECORD', `mediated record ${row.record_id} no longer maps: ${mapped.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`);
    // The category is the categorise gate's, kept with the mediated record.
    return { subscriptionId: row.subscription_id, currency: row.currency, record: { ...mapped.record, category: row.category } };
  });
}
