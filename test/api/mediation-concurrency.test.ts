import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ASTERISK_CDR_CSV } from '../../domain/mediation';
import { quarantineReprocess } from '../../workflows/quarantine-reprocess';
import { aCsvFeed, mediationClient, uid } from '../fixtures/mediation';
import { aMarketplace } from '../fixtures/parties';
import { useIntegration } from '../helpers/integration';

// What the database must guarantee while things run at once: overlapping files loaded concurrently
// accept each record once; a reprocess run started twice processes each record once. Plus the
// built-in Asterisk feed on its example file, and ownership rules.

const ctx = useIntegration();
const HEADER = 'id,number,start,seconds,type,to\n';
const row = (i: number, number: string) => `r${i},${number},2024-03-04T10:${String(i % 60).padStart(2, '0')}:00Z,${60 + i},voice,+442071234567`;

describe('mediation under concurrency', () => {
  it('accepts each duplicate key once when overlapping files load at the same time (item 6)', async () => {
    const m = await aMarketplace(ctx.database.db);
    const api = mediationClient(ctx.app);
    const number = uid('+4477');
    await api.aCustomer(m.provider.auth, m.admin.auth, [{ id: uid('svc'), identifiers: [number] }]);
    const feedId = uid('feed');
    await api.ok('POST', '/v1/feeds', m.provider.auth, aCsvFeed(feedId), 201);
    const rows = Array.from({ length: 3_000 }, (_, i) => row(i, number));
    // Two different files sharing 2,000 records (the second file's copies carry other ids).
    const a = HEADER + rows.slice(0, 2_500).join('\n') + '\n';
    const b = HEADER + rows.slice(500).map((r) => r.replace(/^r/, 'b')).join('\n') + '\n';
    const [first, second] = await Promise.all([api.upload(feedId, m.provider.auth, a), api.upload(feedId, m.provider.auth, b)]);
    const [la, lb] = await Promise.all([api.loaded(first.id, m.provider.auth), api.loaded(second.id, m.provider.auth)]);
    expect((la.counts.COMPLETED ?? 0) + (lb.counts.COMPLETED ?? 0)).toBe(3_000);
    expect((la.counts.QUARANTINED ?? 0) + (lb.counts.QUARANTINED ?? 0)).toBe(2_000);
    // New bytes sent twice at once: one load, the other request answers it as the duplicate.
    const c = `${a}${row(3_001, number)}\n`;
    const twice = await Promise.all([api.upload(feedId, m.provider.auth, c), api.upload(feedId, m.provider.auth, c)]);
    expect(twice[0].id).toBe(twice[1].id);
    expect(twice.map((t) => t.duplicate).sort()).toEqual([false, true]);
    await api.loaded(twice[0].id, m.provider.auth);
    const [keys] = await ctx.database.sql`select count(*)::int as n from accepted_duplicate_keys where feed_id = ${feedId}`;
    expect(keys!.n).toBe(3_001);
    const [billed] = await ctx.database.sql`select count(*)::int as n, count(distinct id)::int as ids from billable_records where source_ref in (${first.id}, ${second.id})`;
    expect(billed).toEqual({ n: 3_000, ids: 3_000 });
  }, 120_000);

  it('processes each record once when the reprocess workflow runs twice at once', async () => {
    const m = await aMarketplace(ctx.database.db);
    const api = mediationClient(ctx.app);
    const number = uid('+4477');
    const customer = await api.aCustomer(m.provider.auth, m.admin.auth, []);
    const feedId = uid('feed');
    await api.ok('POST', '/v1/feeds', m.provider.auth, aCsvFeed(feedId), 201);
    const load = await api.upload(feedId, m.provider.auth, HEADER + Array.from({ length: 400 }, (_, i) => row(i, number)).join('\n') + '\n');
    expect((await api.loaded(load.id, m.provider.auth)).counts).toEqual({ QUARANTINED: 400 });
    await api.ok('POST', `/v1/subscriptions/${customer.subscription}/services`, m.provider.auth, { id: uid('svc'), activeFrom: '2024-01-01T00:00:00Z', identifiers: [{ type: 'MSISDN', value: number, validFrom: '2024-01-01T00:00:00Z' }] }, 201);
    const cleansed = await api.ok('POST', '/v1/quarantine/cleanse', m.provider.auth, { serviceIdentifier: number }, 202);
    expect(cleansed.cleansed).toBe(400);
    const twin = await ctx.temporal.workflow.start(quarantineReprocess, { taskQueue: ctx.taskQueue, workflowId: uid('twin'), args: [{ requestId: cleansed.requestId, batchSize: 50 }] });
    const [done] = await Promise.all([api.reprocessed(cleansed.requestId, m.provider.auth), twin.result()]);
    expect(done.counts).toEqual({ COMPLETED: 400 });
    const events = await ctx.database.sql`select action, count(*)::int as n from mediation_events where load_id = ${load.id} group by action order by action`;
    expect(events).toEqual([{ action: 'claim', n: 400 }, { action: 'cleanse', n: 400 }, { action: 'pass', n: 400 }]);
    const [billed] = await ctx.database.sql`select count(*)::int as n from billable_records where source_ref = ${load.id}`;
    expect(billed!.n).toBe(400);
  }, 120_000);

  it('loads the built-in Asterisk feed from its example file and assigns owners by rule (items 3, 4)', async () => {
    const m = await aMarketplace(ctx.database.db);
    const api = mediationClient(ctx.app);
    await api.aCustomer(m.provider.auth, m.admin.auth, [{ id: uid('svc'), identifiers: ['1001', '1002', '1003'] }], 'EXTENSION');
    await api.ok('PUT', '/v1/feeds/ownership-rules', m.provider.auth, [{ id: 'alice', owner: { kind: 'PERSON', id: 'alice' }, serviceIdentifier: '1001' }], 200);
    const feedId = uid('asterisk');
    await api.ok('POST', '/v1/feeds', m.provider.auth, { ...ASTERISK_CDR_CSV, id: feedId }, 201);
    const load = await api.upload(feedId, m.provider.auth, readFileSync(new URL('../../examples/feeds/asterisk-Master.csv', import.meta.url), 'utf8'));
    const done = await api.loaded(load.id, m.provider.auth);
    // The unanswered call has billsec 0: INCORRECT_DURATION; the others are rated.
    expect(done.counts).toEqual({ COMPLETED: 3, QUARANTINED: 1 });
    const owners = await ctx.database.sql`select row_no, category, owner_kind, owner_id, reason from mediated_records where load_id = ${load.id} order by row_no`;
    expect(owners.map((o) => [o.row_no, o.category, o.owner_id, o.reason])).toEqual([[1, 'TELEPHONY', 'alice', null], [2, 'TELEPHONY', null, null], [3, 'TELEPHONY', null, 'INCORRECT_DURATION'], [4, 'TELEPHONY', null, null]]);
    const unassigned = (await api.ok('GET', `/v1/reports/unassigned?feedId=${feedId}`, m.provider.auth, undefined, 200)).items;
    expect(unassigned.map((u: { serviceIdentifier: string; records: number }) => [u.serviceIdentifier, u.records])).toEqual([['1002', 1], ['1003', 1]]);
  }, 60_000);
});
