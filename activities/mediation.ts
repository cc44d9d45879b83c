import { Context } from '@temporalio/activity';
import type postgres from 'postgres';
import { ApplicationFailure } from '@temporalio/common';
import {
  compiledFeedFor, createMediator, createRawRowParser, insufficientFunds, mapCompiled, parseFeedDefinition, quarantineTransition, unreadableResult,
  type CanonicalRecord, type FeedDefinition, type MediationContext, type Mediator, type ParsedRow,
} from '../domain/mediation';
import { parseInstant } from '../domain/rating/calendar';
import type { Database } from '../db/client';
import { copyLines, copyText } from '../db/copy';
import { findFeed, findFeedVersion, findLoad, loadBytes } from '../db/queries/feeds';
import {
  billedSubscriptionsOfLoad, claimDuplicateKeys, copyBillable, copyMediated, copyRaw, debitPrepaidWallets, loadMediationContext, MEDIATED_COLUMNS,
  planRefsOf, releaseDuplicateKeys, termedAccounts, type MediatedRow, type TermedAccount,
} from '../db/queries/mediation';
import { lockPlanVersions } from '../db/queries/rating';

// Mediation's durable steps: a load is read from its stored bytes in chunks; each chunk's raw rows,
// gate results, duplicate keys and billable records commit in one transaction, so a retry resumes
// after the last committed row. Reprocessing claims cleansed records in batches (skip locked), runs
// every gate again from the raw row and records each change in the audit.

const DEFAULT_CHUNK_ROWS = 10_000;
/** Rows between heartbeats while parsing and mediating (a chunk's commit heartbeats too). */
const HEARTBEAT_ROWS = 2_000;
const YIELD_ROWS = 250;
const ALWAYS_TAKEN = { has: () => true };
/** Accounts a load hands to threshold billing (ids only, to keep the workflow's history small). */
const MAX_TERMED_ACCOUNTS = 200;

export interface MediateLoadInput {
  loadId: string;
  /** The workflow's now: every trace entry and the rating asOf. */
  processedAt: string;
  chunkRows?: number;
}

interface Item {
  rowNo: number;
  lineNumber: number;
  raw: string | null;
  record: CanonicalRecord | null;
  row: MediatedRow;
}

/** A raw row through the feed mapping and the gates; `accepted` holds the keys accepted earlier in the batch. */
function mediateRow(
  feed: FeedDefinition, mediator: Mediator, at: { loadId: string; rowNo: number; processedAt: string }, parsed: ParsedRow | { ok: true; row: Record<string, unknown> },
  accepted: Set<string>,
): { record: CanonicalRecord | null; row: MediatedRow } {
  const base = { loadId: at.loadId, rowNo: at.rowNo, feedId: feed.id, feedVersion: feed.version };
  const recordId = `${at.loadId}:${at.rowNo}`;
  if (!parsed.ok) return { record: null, row: { ...base, serviceIdentifier: null, usageAt: null, result: unreadableResult(recordId, at.processedAt, [`${parsed.code}: ${parsed.message}`]) } };
  const mapped = mapCompiled(parsed.row, compiledFeedFor(feed), recordId);
  if (!mapped.ok) {
    return { record: null, row: { ...base, serviceIdentifier: null, usageAt: null, result: unreadableResult(recordId, at.processedAt, mapped.errors.map((e) => `${e.field}: ${e.message}`)) } };
  }
  const record = mapped.record;
  const result = mediator.mediate(record, accepted);
  if (result.status === 'COMPLETED') accepted.add(result.duplicateKey);
  const startMs = parseInstant(record.start);
  return { record, row: { ...base, serviceIdentifier: record.serviceIdentifier, usageAt: startMs === null ? null : new Date(startMs).toISOString(), result } };
}

export function mediationActivities({ db, sql }: Pick<Database, 'db' | 'sql'>) {
  const feedOf = async (feedId: string, version: number) => {
    const stored = await findFeedVersion(db, feedId, version);
    if (!stored) throw ApplicationFailure.nonRetryable(`feed ${feedId} has no version ${version}`, 'NOT_FOUND');
    return parseFeedDefinition(stored.definition);
  };

  /** Duplicate keys against the database (another load may hold them), then everything in one transaction. */
  // Plan versions are locked first (a version locked a moment early is harmless; a stored record
  // rated with an unlocked one is not), each once per activity run.
  const storeChunk = async (tx: postgres.TransactionSql, feed: FeedDefinition, mediator: Mediator, items: Item[], processedAt: string, mode: 'load' | 'reprocess', locked: Set<string>) => {
    const refs = planRefsOf(items.map((i) => i.row.result)).filter((ref) => !locked.has(`${ref.planId}@${ref.version}`));
    if (refs.length > 0) {
      await lockPlanVersions(db, refs, new Date(processedAt));
      for (const ref of refs) locked.add(`${ref.planId}@${ref.version}`);
    }
    {
      if (mode === 'load') await copyRaw(tx, items[0]!.row.loadId, items);
      const taken = await claimDuplicateKeys(tx, feed.id, items.map((i) => i.row));
      for (const item of items) {
        if (item.record !== null && taken.has(`${item.row.loadId}:${item.row.rowNo}`)) item.row = { ...item.row, result: mediator.mediate(item.record, ALWAYS_TAKEN) };
      }
      // Prepaid accounts pay as their records are rated; what the wallet cannot cover is quarantined.
      const refused = await debitPrepaidWallets(tx, items.map((i) => i.row), processedAt);
      if (refused.size > 0) {
        const unpaid = items.filter((i) => refused.has(`${i.row.loadId}:${i.row.rowNo}`));
        await releaseDuplicateKeys(tx, feed.id, unpaid.map((i) => i.row));
        for (const item of unpaid) item.row = { ...item.row, result: insufficientFunds(item.row.result, refused.get(`${item.row.loadId}:${item.row.rowNo}`)!) };
      }
      const rows = items.map((i) => i.row);
      if (mode === 'load') {
        await copyMediated(tx, 'mediated_records', rows, processedAt);
      } else {
        await tx`create temp table if not exists tmp_mediated (like mediated_records including defaults) on commit delete rows`;
        await copyMediated(tx, 'tmp_mediated', rows, processedAt);
        const sets = MEDIATED_COLUMNS.filter((c) => !['load_id', 'row_no'].includes(c)).map((c) => `${c} = t.${c}`).join(', ');
        const changed = await tx.unsafe<Array<{ loadId: string; rowNo: number; events: number; status: string; reason: string | null; requestId: string | null }>>(`
          update mediated_records m set ${sets}, attempt = m.attempt + 1, events = m.events + 2 from tmp_mediated t
          where m.load_id = t.load_id and m.row_no = t.row_no and m.status = 'CLEANSED'
          returning m.load_id as "loadId", m.row_no as "rowNo", m.events, m.status, m.reason, m.request_id as "requestId"`);
        const pending = quarantineTransition('CLEANSED', 'claim');
        await copyLines(tx, 'mediation_events', 'load_id, row_no, seq, action, from_status, to_status, reason, actor_party_id, note, request_id, at', changed.flatMap((c) => {
          const after = quarantineTransition(pending, c.status === 'COMPLETED' ? 'pass' : 'fail');
          const head = `${copyText(c.loadId)}\t${c.rowNo}\t`;
          const tail = `\\N\t\t${copyText(c.requestId)}\t${processedAt}\n`;
          return [`${head}${c.events - 1}\tclaim\tCLEANSED\t${pending}\t\\N\t${tail}`, `${head}${c.events}\t${after === 'COMPLETED' ? 'pass' : 'fail'}\t${pending}\t${after}\t${copyText(c.reason)}\t${tail}`];
        }));
      }
      await copyBillable(tx, rows);
    }
  };

  return {
    /**
     * Mediates a load from its stored bytes in chunks of `chunkRows`, one transaction per chunk,
     * heartbeating the last committed row. A retry resumes after the last row the database holds.
     */
    async mediateLoad(input: MediateLoadInput): Promise<{ rows: number; termed: TermedAccount[] }> {
      const { loadId, processedAt } = input;
      const load = await findLoad(db, loadId);
      if (!load || load.status === 'receiving') throw ApplicationFailure.nonRetryable(`load ${loadId} is not received`, 'NOT_FOUND');
      const owner = (await findFeed(db, load.feedId))!.ownerPartyId;
      const feed = await feedOf(load.feedId, load.feedVersion);
      await sql`update feed_loads set status = 'loading' where id = ${loadId} and status = 'received'`;
      const mediator = createMediator(feed, await loadMediationContext(sql, owner, processedAt));
      const [{ resumeAfter }] = await sql<[{ resumeAfter: number }]>`select coalesce(max(row_no), 0)::int as "resumeAfter" from feed_raw_records where load_id = ${loadId}`;
      const chunkRows = input.chunkRows ?? DEFAULT_CHUNK_ROWS;
      const activity = Context.current();
      const parser = createRawRowParser(feed.format);
      const decoder = new TextDecoder('utf-8');
      let items: Item[] = [];
      let accepted = new Set<string>();
      let rowNo = 0;
      let inFlight: Promise<void> = Promise.resolve();
      const locked = new Set<string>();
      // Subscriptions that got billable records; a resumed run adds those of the chunks committed before.
      const billed = new Set(resumeAfter === 0 ? [] : await billedSubscriptionsOfLoad(sql, loadId));
      // One chunk is written while the next is parsed and mediated; chunks still commit in row order.
      const flush = async () => {
        if (items.length === 0) return;
        const chunk = items;
        items = [];
        accepted = new Set();
        await inFlight;
        inFlight = sql.begin((tx) => storeChunk(tx, feed, mediator, chunk, processedAt, 'load', locked)).then(() => {
          for (const item of chunk) if (item.row.result.status === 'COMPLETED' && item.row.result.subscriptionId !== null) billed.add(item.row.result.subscriptionId);
          activity.heartbeat({ lastRow: chunk[chunk.length - 1]!.rowNo });
        });
        inFlight.catch(() => {}); // awaited at the next flush
      };
      const take = async (rows: ParsedRow[]) => {
        for (const parsed of rows) {
          rowNo++;
          // Let the chunk being written stream meanwhile (Postgres works on the other core).
          if (rowNo % YIELD_ROWS === 0) await new Promise((resolve) => setImmediate(resolve));
          if (rowNo % HEARTBEAT_ROWS === 0) {
            // A cancelled attempt (e.g. timed out while the worker was starved) stops instead of racing its retry.
            if (activity.cancellationSignal.aborted) throw activity.cancellationSignal.reason;
            activity.heartbeat({ lastRow: resumeAfter, reading: rowNo });
          }
          if (rowNo <= resumeAfter) continue;
          const { record, row } = mediateRow(feed, mediator, { loadId, rowNo, processedAt }, parsed, accepted);
          items.push({ rowNo, lineNumber: parsed.lineNumber, raw: parsed.ok ? JSON.stringify(parsed.row) : null, record, row });
          if (items.length >= chunkRows) await flush();
        }
      };
      for await (const bytes of loadBytes(db, loadId)) await take(parser.push(decoder.decode(bytes, { stream: true })));
      await take([...parser.push(decoder.decode()), ...parser.finish()]);
      await flush();
      await inFlight;
      return { rows: rowNo, termed: await termedAccounts(sql, [...billed], MAX_TERMED_ACCOUNTS) };
    },

    /** Marks the load loaded (idempotent) and returns its counts per status. */
    async completeFeedLoad(input: { loadId: string; rows: number; at: string }): Promise<Record<string, number>> {
      await sql`update feed_loads set status = 'loaded', rows = ${input.rows}, loaded_at = ${input.at} where id = ${input.loadId} and status <> 'loaded'`;
      const counts = await sql<Array<{ status: string; n: number }>>`select status, count(*)::int as n from mediated_records where load_id = ${input.loadId} group by status`;
      return Object.fromEntries(counts.map((c) => [c.status, c.n]));
    },

    /**
     * Claims up to `limit` records the request cleansed (skip locked: a concurrent run takes
     * others), runs every gate again from the raw row with the feed's current version, and stores
     * the outcome with its claim and pass/fail events. Returns how many it took; 0 means done.
     */
    async reprocessBatch(input: { requestId: string; processedAt: string; limit: number }): Promise<{ claimed: number; completed: number; termed: TermedAccount[] }> {
      const { requestId, processedAt } = input;
      // Claim, gates and store in one transaction: the row locks keep a concurrent run off these records.
      return sql.begin(async (tx) => {
        const claimed = await tx<Array<{ loadId: string; rowNo: number; lineNumber: number; feedId: string; raw: string | null; owner: string; version: number }>>`
          select m.load_id as "loadId", m.row_no as "rowNo", r.line_number as "lineNumber", m.feed_id as "feedId", r.raw, f.owner_party_id as owner, f.current_version as version
          from mediated_records m join feed_raw_records r on r.load_id = m.load_id and r.row_no = m.row_no join feeds f on f.id = m.feed_id
          where m.request_id = ${requestId} and m.status = 'CLEANSED' order by m.load_id, m.row_no limit ${input.limit} for update of m skip locked`;
        if (claimed.length === 0) return { claimed: 0, completed: 0, termed: [] };
        // An internal role's request may span operators: each record runs against its own operator's snapshot.
        const contexts = new Map<string, MediationContext>();
        let completed = 0;
        const billed = new Set<string>();
        const byFeed = new Map<string, Array<(typeof claimed)[number]>>();
        for (const c of claimed) {
          const key = `${c.feedId}\u0000${c.version}`;
          const list = byFeed.get(key);
          if (list) list.push(c);
          else byFeed.set(key, [c]);
        }
        for (const rows of byFeed.values()) {
          const feed = await feedOf(rows[0]!.feedId, rows[0]!.version);
          const owner = rows[0]!.owner;
          let context = contexts.get(owner);
          if (context === undefined) contexts.set(owner, (context = await loadMediationContext(tx, owner, processedAt)));
          const mediator = createMediator(feed, context);
          const accepted = new Set<string>();
          const items = rows.map((c): Item => {
            const parsed: ParsedRow = c.raw === null
              ? { ok: false, lineNumber: c.lineNumber, code: 'COLUMN_COUNT', message: 'the line could not be read' }
              : { ok: true, lineNumber: c.lineNumber, row: JSON.parse(c.raw) as Record<string, unknown> };
            const { record, row } = mediateRow(feed, mediator, { loadId: c.loadId, rowNo: c.rowNo, processedAt }, parsed, accepted);
            return { rowNo: c.rowNo, lineNumber: c.lineNumber, raw: c.raw, record, row };
          });
          await storeChunk(tx, feed, mediator, items, processedAt, 'reprocess', new Set());
          for (const item of items) {
            if (item.row.result.status !== 'COMPLETED') continue;
            completed++;
            if (item.row.result.subscriptionId !== null) billed.add(item.row.result.subscriptionId);
          }
        }
        // Read in the transaction, handed over by the workflow after the commit.
        return { claimed: claimed.length, completed, termed: await termedAccounts(tx, [...billed], MAX_TERMED_ACCOUNTS) };
      });
    },
  };
}
