import type postgres from 'postgres';
import { NotFoundError } from '../../domain/errors';
import { cleanseSelection, quarantineActions, quarantineTransition, type QuarantineAction, type QuarantineStatus } from '../../domain/mediation';

// The quarantine view and the people's actions on it (SPEC §3.3, §5 items 8–15). A record is named
// by its ref "load:row". Every change is one update plus its audit event (who, when, why) in one
// transaction; an action the record's status does not allow is refused and changes nothing.

type Sql = postgres.Sql | postgres.TransactionSql;

export interface RecordRef {
  loadId: string;
  rowNo: number;
}

export function parseRef(ref: string): RecordRef | null {
  const at = ref.lastIndexOf(':');
  const rowNo = Number(ref.slice(at + 1));
  return at > 0 && Number.isInteger(rowNo) && rowNo > 0 ? { loadId: ref.slice(0, at), rowNo } : null;
}

export const refOf = (r: RecordRef) => `${r.loadId}:${r.rowNo}`;

/** Feeds in scope: an operator's own, or every feed (null owner: internal roles). */
const feedScope = (sql: Sql, ownerPartyId: string | null) =>
  ownerPartyId === null ? sql`true` : sql`m.feed_id in (select id from feeds where owner_party_id = ${ownerPartyId})`;

export interface QuarantineFilter {
  status: QuarantineStatus;
  feedId?: string;
  loadId?: string;
  reason?: string;
  serviceIdentifier?: string;
  accountId?: string;
  from?: string;
  to?: string;
  limit: number;
  offset: number;
}

export async function listQuarantine(sql: Sql, ownerPartyId: string | null, f: QuarantineFilter) {
  return sql<Array<{ ref: string; status: QuarantineStatus; reason: string | null; [column: string]: unknown }>>`
    select m.load_id || ':' || m.row_no as ref, m.load_id as "loadId", m.row_no as "rowNo", m.feed_id as "feedId", m.record_id as "recordId", m.status, m.reason, m.message,
      m.flags, m.category, m.service_identifier as "serviceIdentifier", m.usage_at as "usageAt", m.service_id as "serviceId", m.account_id as "accountId",
      m.candidate, m.attempt, m.updated_at as "updatedAt"
    from mediated_records m
    where ${feedScope(sql, ownerPartyId)} and m.status = ${f.status}
      ${f.feedId ? sql`and m.feed_id = ${f.feedId}` : sql``} ${f.loadId ? sql`and m.load_id = ${f.loadId}` : sql``}
      ${f.reason ? sql`and m.reason = ${f.reason}` : sql``} ${f.serviceIdentifier ? sql`and m.service_identifier = ${f.serviceIdentifier}` : sql``}
      ${f.accountId ? sql`and m.account_id = ${f.accountId}` : sql``} ${f.from ? sql`and m.usage_at >= ${f.from}` : sql``} ${f.to ? sql`and m.usage_at < ${f.to}` : sql``}
    order by m.load_id, m.row_no limit ${f.limit} offset ${f.offset}`;
}

/**
 * QUARANTINED records per reason, and records per status other than COMPLETED (WITHDRAWN and
 * WRITTEN_OFF too). COMPLETED is left out so the count reads only the partial index of records
 * that are not completed; a load's counts (GET /v1/feed-loads/{id}) include it.
 */
export async function quarantineCounts(sql: Sql, ownerPartyId: string | null, feedId?: string) {
  const rows = await sql<Array<{ status: QuarantineStatus; reason: string; count: number }>>`
    select m.status, m.reason, count(*)::int as count from mediated_records m
    where ${feedScope(sql, ownerPartyId)} and m.status <> 'COMPLETED' ${feedId ? sql`and m.feed_id = ${feedId}` : sql``}
    group by m.status, m.reason order by m.status, m.reason`;
  const statuses = new Map<QuarantineStatus, number>();
  for (const r of rows) statuses.set(r.status, (statuses.get(r.status) ?? 0) + r.count);
  return {
    reasons: rows.filter((r) => r.status === 'QUARANTINED').map((r) => ({ reason: r.reason, count: r.count })),
    statuses: [...statuses].map(([status, count]) => ({ status, count })),
  };
}

/** Completed records with no owner, per identifier (SPEC §5 item 54: the UNASSIGNED pool). */
export async function unassignedReport(sql: Sql, ownerPartyId: string | null, feedId?: string) {
  return sql<Array<{ serviceIdentifier: string; records: number; amount: string | null }>>`
    select m.service_identifier as "serviceIdentifier", count(*)::int as records, sum(m.amount)::text as amount from mediated_records m
    where ${feedScope(sql, ownerPartyId)} and m.status = 'COMPLETED' and m.owner_id is null ${feedId ? sql`and m.feed_id = ${feedId}` : sql``}
    group by m.service_identifier order by m.service_identifier`;
}

interface Lockable { loadId: string; rowNo: number; status: QuarantineStatus; serviceIdentifier: string | null; reason: string | null; events: number }

async function lockRefs(tx: postgres.TransactionSql, ownerPartyId: string | null, refs: readonly RecordRef[]): Promise<Lockable[]> {
  if (refs.length === 0) return [];
  const rows = await tx<Lockable[]>`
    select m.load_id as "loadId", m.row_no as "rowNo", m.status, m.service_identifier as "serviceIdentifier", m.reason, m.events from mediated_records m
    where ${feedScope(tx, ownerPartyId)} and (m.load_id, m.row_no) in (select * from unnest(${refs.map((r) => r.loadId)}::text[], ${refs.map((r) => r.rowNo)}::int[]))
    order by m.load_id, m.row_no for update of m`;
  const found = new Set(rows.map(refOf));
  const missing = refs.find((r) => !found.has(refOf(r)));
  if (missing) throw new NotFoundError('Mediated record', refOf(missing));
  return rows;
}

interface Change { actorPartyId: string; note: string; at: string; requestId: string | null }

/** Applies `action` to locked records (each must allow it) and audits each change. */
async function apply(tx: postgres.TransactionSql, rows: readonly Lockable[], action: QuarantineAction, change: Change): Promise<number> {
  if (rows.length === 0) return 0;
  for (const row of rows) quarantineTransition(row.status, action, refOf(row)); // refuses (409) before anything changes
  const to = quarantineActions[action].to;
  const loads = rows.map((r) => r.loadId);
  const rowNos = rows.map((r) => r.rowNo);
  await tx`
    update mediated_records m set status = ${to}, events = m.events + 1, updated_at = ${change.at}
      ${change.requestId === null ? tx`` : tx`, request_id = ${change.requestId}`}
    from unnest(${loads}::text[], ${rowNos}::int[]) as s(load_id, row_no) where m.load_id = s.load_id and m.row_no = s.row_no`;
  await tx`
    insert into mediation_events (load_id, row_no, seq, action, from_status, to_status, reason, actor_party_id, note, request_id, at)
    select s.load_id, s.row_no, s.seq, ${action}, s.from_status::mediation_status, ${to}, s.reason, ${change.actorPartyId}, ${change.note}, ${change.requestId}, ${change.at}
    from unnest(${loads}::text[], ${rowNos}::int[], ${rows.map((r) => r.events + 1)}::int[], ${rows.map((r) => r.status)}::text[], ${rows.map((r) => r.reason ?? '')}::text[])
      as s(load_id, row_no, seq, from_status, reason)`;
  return rows.length;
}

/**
 * Cleanses the chosen records plus every other QUARANTINED record with the same identifier (or
 * every QUARANTINED record with `serviceIdentifier`), marking them with `requestId` for the
 * reprocess workflow. A chosen record that is not QUARANTINED refuses the whole request.
 */
export async function cleanseRecords(sql: postgres.Sql, ownerPartyId: string | null, selection: { refs: RecordRef[]; serviceIdentifier?: string; feedId?: string }, change: Change & { requestId: string }) {
  return sql.begin(async (tx) => {
    const chosen = await lockRefs(tx, ownerPartyId, selection.refs);
    for (const row of chosen) quarantineTransition(row.status, 'cleanse', refOf(row));
    const identifiers = [...new Set([...chosen.flatMap((r) => r.serviceIdentifier ?? []), ...(selection.serviceIdentifier ? [selection.serviceIdentifier] : [])])];
    const sameIdentifier = identifiers.length === 0 ? [] : await tx<Lockable[]>`
      select m.load_id as "loadId", m.row_no as "rowNo", m.status, m.service_identifier as "serviceIdentifier", m.reason, m.events from mediated_records m
      where ${feedScope(tx, ownerPartyId)} and m.status = 'QUARANTINED' and m.service_identifier = any(${identifiers}::text[])
        ${selection.feedId ? tx`and m.feed_id = ${selection.feedId}` : tx``}
      order by m.load_id, m.row_no for update of m`;
    const entries = [...chosen, ...sameIdentifier].map((r) => ({ id: refOf(r), status: r.status, reason: r.reason ?? '', serviceIdentifier: r.serviceIdentifier ?? '', row: r }));
    const chosenIds = selection.refs.length > 0 ? selection.refs.map(refOf) : sameIdentifier.map(refOf);
    const selected = new Set(cleanseSelection(entries, chosenIds));
    const rows = [...new Map(entries.filter((e) => selected.has(e.id)).map((e) => [e.id, e.row])).values()];
    const cleansed = await apply(tx, rows, 'cleanse', change);
    if (cleansed > 0) await tx`insert into reprocess_requests (id, owner_party_id, requested_by, note, cleansed) values (${change.requestId}, ${ownerPartyId ?? ''}, ${change.actorPartyId}, ${change.note}, ${cleansed})`;
    return { cleansed, refs: rows.map(refOf) };
  });
}

/**
 * Writes records off (never billed, never retried; each must be QUARANTINED) or withdraws them (the
 * supplier withdrew the usage: never billed, never reprocessed; each must be QUARANTINED or
 * CLEANSED). All or nothing: an unknown ref or a record the action does not allow refuses the batch.
 */
export async function endQuarantine(sql: postgres.Sql, ownerPartyId: string | null, action: 'writeOff' | 'withdraw', refs: RecordRef[], change: Change) {
  return sql.begin(async (tx) => apply(tx, await lockRefs(tx, ownerPartyId, refs), action, change));
}

/** A record from raw to now: the raw row as read, its current mediation, and every audited change. */
export async function recordHistory(sql: Sql, ownerPartyId: string | null, ref: RecordRef) {
  const [record] = await sql<Array<Record<string, unknown>>>`
    select m.*, r.raw, r.line_number from mediated_records m join feed_raw_records r on r.load_id = m.load_id and r.row_no = m.row_no
    where ${feedScope(sql, ownerPartyId)} and m.load_id = ${ref.loadId} and m.row_no = ${ref.rowNo}`;
  if (!record) throw new NotFoundError('Mediated record', refOf(ref));
  const events = await sql`
    select seq, action, from_status as "fromStatus", to_status as "toStatus", reason, actor_party_id as "actorPartyId", note, request_id as "requestId", at
    from mediation_events where load_id = ${ref.loadId} and row_no = ${ref.rowNo} order by seq`;
  return { record, events };
}
