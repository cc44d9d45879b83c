import { describe, expect, it } from 'vitest';
import { aMarketplace, aPartyWithKey } from '../fixtures/parties';
import { aCsvFeed, aVoicePlan, mediationClient, uid } from '../fixtures/mediation';
import { useIntegration } from '../helpers/integration';

// SPEC §5 items 1–15 through the API, the workflows and Postgres: a CSV file loaded into a feed,
// every gate's reason, the quarantine actions, reprocessing and the record history.

const ctx = useIntegration();
const HEADER = 'id,number,start,seconds,type,to\n';

async function setup() {
  const m = await aMarketplace(ctx.database.db);
  const api = mediationClient(ctx.app);
  const [known, ended, later, nobody] = [uid('+4477'), uid('+4478'), uid('+4479'), uid('+4470')];
  const customer = await api.aCustomer(m.provider.auth, m.admin.auth, [
    { id: uid('svc'), identifiers: [known] },
    // End-dated before the usage: the quarantine view proposes it as the candidate (item 10).
    { id: uid('svc-old'), identifiers: [ended], activeTo: '2024-02-01T00:00:00Z' },
  ]);
  const feedId = uid('feed');
  await api.ok('POST', '/v1/feeds', m.provider.auth, aCsvFeed(feedId), 201);
  return { m, api, customer, feedId, known, ended, later, nobody };
}

describe('mediation of a feed file', () => {
  it('rejects a feed definition that does not map a required field, naming the field (item 1)', async () => {
    const { m, api } = await setup();
    const feed = aCsvFeed(uid('feed')) as Record<string, unknown> & { mapping: Record<string, unknown> };
    delete feed.mapping.start;
    const res = await api.call('POST', '/v1/feeds', m.provider.auth, feed);
    expect(res.status).toBe(400);
    expect(res.body.error.issues).toContainEqual({ path: '$.mapping.start', message: 'required canonical field start is not mapped' });
  });

  it('runs every gate, quarantines with reasons, cleanses, reprocesses, writes off and audits (items 2–3, 5–6, 8–15)', async () => {
    const { m, api, customer, feedId, known, ended, later, nobody } = await setup();
    const op = m.provider.auth;
    const csv = HEADER + [
      `a1,${known},2024-03-04T10:00:00Z,60,voice,+442071234567`, // 1 COMPLETED 0.1000
      `a2,${known},2024-03-04T10:00:00Z,60,voice,+442071234567`, // 2 DUPLICATE of 1
      `a3,${ended},2024-03-04T11:00:00Z,30,voice,+442071234567`, // 3 UNIDENTIFIED, candidate: the ended service
      `a4,${known},2024-03-05T09:00:00Z,0,sms,+447700900999`, // 4 sms with 0 s passes: COMPLETED 0.0500
      `a5,${known},2024-03-05T09:30:00Z,0,voice,+442071234567`, // 5 INCORRECT_DURATION
      `a6,${known},2024-01-15T09:00:00Z,60,voice,+442071234567`, // 6 NO_PERIOD (periods start in March)
      `a7,${known},2024-03-06T09:00:00Z,100,data,+447700900999`, // 7 NO_RATE
      `a8,${ended},2024-03-06T12:00:00Z,90,voice,+442071234567`, // 8 UNIDENTIFIED, same identifier as 3
      `a9,${later},2024-03-07T12:00:00Z,10,data,+447700900999`, // 9 UNIDENTIFIED, then NO_RATE (two defects)
      `a10,${nobody},,10,voice,+442071234567`, // 10 unreadable: no start
    ].join('\n') + '\n';

    const first = await api.upload(feedId, op, csv);
    expect(first.duplicate).toBe(false);
    const load = await api.loaded(first.id, op);
    expect(load.counts).toEqual({ COMPLETED: 2, QUARANTINED: 8 });
    expect(load.rows).toBe(10);

    // The same bytes again: the earlier load, nothing loaded twice.
    const again = await api.upload(feedId, op, csv);
    expect(again).toMatchObject({ id: first.id, duplicate: true });

    const reasons = (await api.ok('GET', `/v1/quarantine/counts?feedId=${feedId}`, op, undefined, 200)).reasons;
    expect(reasons).toEqual([
      { reason: 'DUPLICATE', count: 1 }, { reason: 'INCORRECT_DURATION', count: 1 }, { reason: 'INVALID_RECORD', count: 1 },
      { reason: 'NO_PERIOD', count: 1 }, { reason: 'NO_RATE', count: 1 }, { reason: 'UNIDENTIFIED', count: 3 },
    ]);
    const ref = (row: number) => `${first.id}:${row}`;
    const unidentified = (await api.ok('GET', `/v1/quarantine?feedId=${feedId}&reason=UNIDENTIFIED&serviceIdentifier=${encodeURIComponent(ended)}`, op, undefined, 200)).items;
    expect(unidentified.map((r: { ref: string }) => r.ref)).toEqual([ref(3), ref(8)]);
    expect(unidentified[0].candidate).toMatchObject({ problem: 'SERVICE_ENDED' });
    expect(unidentified[0].category).toBe('TELEPHONY');

    // Billable: exactly the two completed records, each once; the plan version is locked.
    const billable = await ctx.database.sql`select id, amount::text, account_id from billable_records where source_ref = ${first.id} order by usage_at`;
    expect(billable.map((b) => [b.amount, b.account_id])).toEqual([['0.1000', customer.account], ['0.0500', customer.account]]);
    const replace = await api.call('PUT', `/v1/rate-plans/${customer.plan}/versions/1`, m.admin.auth, aVoicePlan(customer.plan, 1, [], { name: 'changed' }));
    expect(replace.status).toBe(409);
    expect(replace.body.error.code).toBe('VERSION_LOCKED');

    // Items 8 and 9: a new service for the identifier, one record cleansed, both re-queued and completed.
    await api.ok('POST', `/v1/subscriptions/${customer.subscription}/services`, op, { id: uid('svc-new'), activeFrom: '2024-03-01T00:00:00Z', identifiers: [{ type: 'MSISDN', value: ended, validFrom: '2024-03-01T00:00:00Z' }] }, 201);
    const cleansed = await api.ok('POST', '/v1/quarantine/cleanse', op, { records: [ref(3)], note: 'service re-provisioned' }, 202);
    expect(cleansed).toMatchObject({ cleansed: 2, records: [ref(3), ref(8)] });
    const done = await api.reprocessed(cleansed.requestId, op);
    expect(done.counts).toEqual({ COMPLETED: 2 });

    // Item 13: two defects. Fix the identifier: back with NO_RATE. Add the rate: COMPLETED.
    await api.ok('POST', `/v1/subscriptions/${customer.subscription}/services`, op, { id: uid('svc-later'), activeFrom: '2024-03-01T00:00:00Z', identifiers: [{ type: 'MSISDN', value: later, validFrom: '2024-03-01T00:00:00Z' }] }, 201);
    const second = await api.ok('POST', '/v1/quarantine/cleanse', op, { serviceIdentifier: later, note: 'added the service' }, 202);
    await api.reprocessed(second.requestId, op);
    const history9 = await api.ok('GET', `/v1/mediated-records/${ref(9)}`, op, undefined, 200);
    expect(history9.record).toMatchObject({ status: 'QUARANTINED', reason: 'NO_RATE' });
    expect(history9.events.map((e: { action: string; toStatus: string; reason: string | null }) => [e.action, e.toStatus, e.reason])).toEqual([
      ['cleanse', 'CLEANSED', 'UNIDENTIFIED'], ['claim', 'PENDING', null], ['fail', 'QUARANTINED', 'NO_RATE'],
    ]);
    // Item 12: a data rate in a new plan version; cleansing records 7 and 9 rates both. Record 7's
    // identifier re-queues its other quarantined records too (item 9); they fail again, for their own reasons.
    await api.ok('POST', '/v1/rate-plans', m.admin.auth, aVoicePlan(customer.plan, 2, [{ id: 'data', usageType: 'data', unit: 'second', price: '0.01' }]), 201);
    const third = await api.ok('POST', '/v1/quarantine/cleanse', op, { records: [ref(7), ref(9)], note: 'data rate added' }, 202);
    expect([...third.records].sort()).toEqual([ref(2), ref(5), ref(6), ref(7), ref(9)].sort());
    expect((await api.reprocessed(third.requestId, op)).counts).toEqual({ COMPLETED: 2, QUARANTINED: 3 });
    const after = (await api.ok('GET', `/v1/quarantine/counts?feedId=${feedId}`, op, undefined, 200)).reasons;
    expect(after).toEqual([{ reason: 'DUPLICATE', count: 1 }, { reason: 'INCORRECT_DURATION', count: 1 }, { reason: 'INVALID_RECORD', count: 1 }, { reason: 'NO_PERIOD', count: 1 }]);

    // Item 14: written off; never cleansed again (409 with the state), never billed.
    expect(await api.ok('POST', '/v1/quarantine/write-off', op, { records: [ref(5)], note: 'test call' }, 200)).toEqual({ writtenOff: 1 });
    const refused = await api.call('POST', '/v1/quarantine/cleanse', op, { records: [ref(5)] });
    expect(refused.status).toBe(409);
    expect(refused.body.error.currentState).toBe('WRITTEN_OFF');

    // Item 15 and 2: the whole history, with who and when; the raw row is as read, never changed.
    const history3 = await api.ok('GET', `/v1/mediated-records/${ref(3)}`, op, undefined, 200);
    expect(JSON.parse(history3.record.raw)).toEqual({ id: 'a3', number: ended, start: '2024-03-04T11:00:00Z', seconds: '30', type: 'voice', to: '+442071234567' });
    expect(history3.record.status).toBe('COMPLETED');
    expect(history3.events[0]).toMatchObject({ action: 'cleanse', fromStatus: 'QUARANTINED', toStatus: 'CLEANSED', actorPartyId: m.provider.party.id, note: 'service re-provisioned' });
    expect(history3.events.every((e: { at: string }) => typeof e.at === 'string')).toBe(true);
    expect(history3.record.trace.map((t: { phase: string }) => t.phase)).toEqual(['categorise', 'check', 'identify', 'bucket', 'rate', 'deduplicate', 'assignOwner']);
    const statuses = await ctx.database.sql`select distinct status from mediated_records where feed_id = ${feedId}`;
    expect(statuses.map((s) => s.status).sort()).toEqual(['COMPLETED', 'QUARANTINED', 'WRITTEN_OFF']);

    // Every completed record billed exactly once; the duplicate never.
    const [billed] = await ctx.database.sql`select count(*)::int as n, count(distinct id)::int as ids from billable_records where source_ref = ${first.id}`;
    expect(billed).toEqual({ n: 6, ids: 6 });
    const unassigned = (await api.ok('GET', `/v1/reports/unassigned?feedId=${feedId}`, op, undefined, 200)).items;
    expect(unassigned.reduce((sum: number, r: { records: number }) => sum + r.records, 0)).toBe(6);
  }, 120_000);

  it('quarantines a late record of a closed period past the account grace as NO_PERIOD; the open period takes its record (item 11)', async () => {
    const { m, api, customer, feedId, known } = await setup();
    await api.ok('POST', `/v1/subscriptions/${customer.subscription}/billing-periods/close`, m.provider.auth, { startAt: '2024-03-01T00:00:00Z' }, 200);
    const load = await api.upload(feedId, m.provider.auth, `${HEADER}l1,${known},2024-03-20T10:00:00Z,60,voice,+44\nl2,${known},2024-04-02T10:00:00Z,60,voice,+44\n`);
    expect((await api.loaded(load.id, m.provider.auth)).counts).toEqual({ COMPLETED: 1, QUARANTINED: 1 });
    const [late] = (await api.ok('GET', `/v1/quarantine?loadId=${load.id}`, m.provider.auth, undefined, 200)).items;
    expect(late).toMatchObject({ ref: `${load.id}:1`, reason: 'NO_PERIOD' });
    expect(late.message).toContain('closed');
  }, 60_000);

  it('keeps feeds, loads, quarantine and histories to their operator', async () => {
    const { m, api, feedId, known } = await setup();
    const load = await api.upload(feedId, m.provider.auth, `${HEADER}b1,${known},2024-03-04T10:00:00Z,60,voice,+44\n`);
    await api.loaded(load.id, m.provider.auth);
    const other = await aPartyWithKey(ctx.database.db, 'provider');
    expect((await api.call('GET', `/v1/feeds/${feedId}`, other.auth)).status).toBe(404);
    expect((await api.call('GET', `/v1/feed-loads/${load.id}`, other.auth)).status).toBe(404);
    expect((await api.call('GET', `/v1/mediated-records/${load.id}:1`, other.auth)).status).toBe(404);
    expect((await api.call('POST', '/v1/quarantine/write-off', other.auth, { records: [`${load.id}:1`], note: 'x' })).status).toBe(404);
    expect((await api.call('POST', '/v1/feeds', m.vendor.auth, aCsvFeed(uid('feed')))).status).toBe(403);
    expect((await api.call('POST', '/v1/quarantine/cleanse', m.provider.auth, { records: [`${load.id}:1`], extra: 1 })).status).toBe(400);
    expect((await api.call('GET', `/v1/mediated-records/${load.id}:1`, m.ops.auth)).status).toBe(200);
    // Versions: the next one only, then later loads use it.
    expect((await api.call('POST', `/v1/feeds/${feedId}/versions`, m.provider.auth, aCsvFeed(feedId, 3))).status).toBe(409);
    expect((await api.call('POST', `/v1/feeds/${feedId}/versions`, m.provider.auth, aCsvFeed(feedId, 2))).status).toBe(201);
    const feed = await api.ok('GET', `/v1/feeds/${feedId}`, m.provider.auth, undefined, 200);
    expect(feed.versions.map((v: { version: number }) => v.version)).toEqual([1, 2]);
  }, 60_000);
});
