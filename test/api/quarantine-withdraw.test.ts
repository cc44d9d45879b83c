import { describe, expect, it } from 'vitest';
import { billableId } from '../../db/queries/mediation';
import { cleanseRecords, parseRef } from '../../db/queries/quarantine';
import { quarantineReprocess } from '../../workflows/quarantine-reprocess';
import { quarantineReprocessWorkflowId } from '../../workflows/shared';
import { aMarketplace, aPartyWithKey } from '../fixtures/parties';
import { aCsvFeed, mediationClient, uid } from '../fixtures/mediation';
import { useIntegration } from '../helpers/integration';

// Withdrawing quarantined records (SPEC §3.3, §5 item 15) through the API, the workflows and
// Postgres: one record or a selection becomes WITHDRAWN, audited with who, when and why; it is
// never billed and never reprocessed; a record the action does not allow refuses the whole batch.

const ctx = useIntegration();
const HEADER = 'id,number,start,seconds,type,to\n';

async function setup() {
  const m = await aMarketplace(ctx.database.db);
  const api = mediationClient(ctx.app);
  const [known, a, b, c] = [uid('+4477'), uid('+4478'), uid('+4479'), uid('+4470')];
  const customer = await api.aCustomer(m.provider.auth, m.admin.auth, [{ id: uid('svc'), identifiers: [known] }]);
  const feedId = uid('feed');
  await api.ok('POST', '/v1/feeds', m.provider.auth, aCsvFeed(feedId), 201);
  const load = await api.upload(feedId, m.provider.auth, HEADER + [
    `w1,${known},2024-03-04T10:00:00Z,60,voice,+442071234567`, // 1 COMPLETED
    `w2,${known},2024-03-04T10:00:00Z,60,voice,+442071234567`, // 2 DUPLICATE
    `w3,${a},2024-03-04T11:00:00Z,60,voice,+442071234567`, // 3 UNIDENTIFIED
    `w4,${a},2024-03-04T12:00:00Z,60,voice,+442071234567`, // 4 UNIDENTIFIED, same identifier as 3
    `w5,${b},2024-03-04T13:00:00Z,60,voice,+442071234567`, // 5 UNIDENTIFIED
    `w6,${known},2024-03-05T09:30:00Z,0,voice,+442071234567`, // 6 INCORRECT_DURATION
    `w7,${c},2024-03-05T10:00:00Z,60,voice,+442071234567`, // 7 UNIDENTIFIED
  ].join('\n') + '\n');
  expect((await api.loaded(load.id, m.provider.auth)).counts).toEqual({ COMPLETED: 1, QUARANTINED: 6 });
  const ref = (row: number) => `${load.id}:${row}`;
  const provision = (identifier: string) => api.ok('POST', `/v1/subscriptions/${customer.subscription}/services`, m.provider.auth,
    { id: uid('svc'), activeFrom: '2024-03-01T00:00:00Z', identifiers: [{ type: 'MSISDN', value: identifier, validFrom: '2024-03-01T00:00:00Z' }] }, 201);
  /** Every record's status and audit count, and the load's billable records: what a refusal must leave as it was. */
  const state = async () => ({
    records: await ctx.database.sql`select row_no, status, events from mediated_records where load_id = ${load.id} order by row_no`,
    events: await ctx.database.sql`select row_no, seq, action from mediation_events where load_id = ${load.id} order by row_no, seq`,
    billed: await ctx.database.sql`select id from billable_records where source_ref = ${load.id} order by id`,
  });
  return { m, api, feedId, load, ref, a, provision, state };
}

describe('withdrawing quarantined records', () => {
  it('withdraws one record and a selection, audited; lists and counts show WITHDRAWN; a cleanse never takes them back', async () => {
    const { m, api, feedId, load, ref, a, provision } = await setup();
    const op = m.provider.auth;

    expect(await api.ok('POST', '/v1/quarantine/withdraw', op, { records: [ref(3)], note: 'carrier withdrew the file' }, 200)).toEqual({ withdrawn: 1 });
    const history = await api.ok('GET', `/v1/mediated-records/${ref(3)}`, op, undefined, 200);
    expect(history.record).toMatchObject({ status: 'WITHDRAWN', reason: 'UNIDENTIFIED' });
    expect(history.events).toHaveLength(1);
    expect(history.events[0]).toMatchObject({
      seq: 1, action: 'withdraw', fromStatus: 'QUARANTINED', toStatus: 'WITHDRAWN', reason: 'UNIDENTIFIED', actorPartyId: m.provider.party.id, note: 'carrier withdrew the file', requestId: null,
    });
    expect(Number.isNaN(Date.parse(history.events[0].at))).toBe(false);

    expect(await api.ok('POST', '/v1/quarantine/withdraw', op, { records: [ref(5), ref(6)], note: 'replaced by a corrected file' }, 200)).toEqual({ withdrawn: 2 });
    const list = async (query: string) => (await api.ok('GET', `/v1/quarantine?feedId=${feedId}${query}`, op, undefined, 200)).items.map((r: { ref: string }) => r.ref);
    expect(await list('&status=WITHDRAWN')).toEqual([ref(3), ref(5), ref(6)]);
    expect(await list('&status=WITHDRAWN&reason=INCORRECT_DURATION')).toEqual([ref(6)]);
    expect(await list('')).toEqual([ref(2), ref(4), ref(7)]);
    expect(await api.ok('GET', `/v1/quarantine/counts?feedId=${feedId}`, op, undefined, 200)).toEqual({
      reasons: [{ reason: 'DUPLICATE', count: 1 }, { reason: 'UNIDENTIFIED', count: 2 }],
      statuses: [{ status: 'QUARANTINED', count: 3 }, { status: 'WITHDRAWN', count: 3 }],
    });
    expect((await api.ok('GET', `/v1/feed-loads/${load.id}`, op, undefined, 200)).counts).toEqual({ COMPLETED: 1, QUARANTINED: 3, WITHDRAWN: 3 });

    // The identifier of 3 and 4 is provisioned: a cleanse by identifier re-queues 4 only; 3 stays withdrawn, never billed.
    await provision(a);
    const cleansed = await api.ok('POST', '/v1/quarantine/cleanse', op, { serviceIdentifier: a, note: 'provisioned' }, 202);
    expect(cleansed).toMatchObject({ cleansed: 1, records: [ref(4)] });
    expect((await api.reprocessed(cleansed.requestId, op)).counts).toEqual({ COMPLETED: 1 });
    const refused = await api.call('POST', '/v1/quarantine/cleanse', op, { records: [ref(3)] });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'ILLEGAL_TRANSITION', action: 'cleanse', currentState: 'WITHDRAWN', record: ref(3) });
    expect((await api.ok('GET', `/v1/mediated-records/${ref(3)}`, op, undefined, 200)).record.status).toBe('WITHDRAWN');
    // Billed: exactly the two completed records, 1 and 4.
    const keys = await ctx.database.sql`select duplicate_key from mediated_records where load_id = ${load.id} and row_no in (1, 4)`;
    const billed = await ctx.database.sql`select id from billable_records where source_ref = ${load.id}`;
    expect(billed.map((b) => b.id).sort()).toEqual(keys.map((k) => billableId(feedId, k.duplicate_key)).sort());
  }, 120_000);

  it('refuses a batch holding a record the action does not allow (409 with its ref and status), an unknown ref (404), bad input and other callers; nothing changes', async () => {
    const { m, api, load, ref, state } = await setup();
    const op = m.provider.auth;
    expect(await api.ok('POST', '/v1/quarantine/write-off', op, { records: [ref(7)], note: 'test call' }, 200)).toEqual({ writtenOff: 1 });
    expect(await api.ok('POST', '/v1/quarantine/withdraw', op, { records: [ref(5)], note: 'withdrawn' }, 200)).toEqual({ withdrawn: 1 });
    const before = await state();

    for (const [records, currentState, record] of [
      [[ref(2), ref(1)], 'COMPLETED', ref(1)],
      [[ref(2), ref(7)], 'WRITTEN_OFF', ref(7)],
      [[ref(5), ref(2)], 'WITHDRAWN', ref(5)],
    ] as const) {
      const res = await api.call('POST', '/v1/quarantine/withdraw', op, { records, note: 'x' });
      expect(res.status).toBe(409);
      expect(res.body.error).toEqual({
        code: 'ILLEGAL_TRANSITION', action: 'withdraw', currentState, record,
        message: `Cannot withdraw record ${record} in status ${currentState}; allowed from QUARANTINED, CLEANSED`,
      });
    }
    const unknown = await api.call('POST', '/v1/quarantine/withdraw', op, { records: [ref(2), `${load.id}:99`], note: 'x' });
    expect([unknown.status, unknown.body.error.message]).toEqual([404, `Mediated record ${load.id}:99 not found`]);
    for (const body of [{ records: [ref(2)] }, { records: [ref(2)], note: '' }, { records: [], note: 'x' }, { records: ['not-a-ref'], note: 'x' }, { records: [ref(2)], note: 'x', all: true }]) {
      const res = await api.call('POST', '/v1/quarantine/withdraw', op, body);
      expect([res.status, res.body.error.code], JSON.stringify(body)).toEqual([400, 'VALIDATION_FAILED']);
    }
    const other = await aPartyWithKey(ctx.database.db, 'provider');
    for (const [auth, status] of [[other.auth, 404], [m.ops.auth, 403], [m.vendor.auth, 403]] as const) {
      expect((await api.call('POST', '/v1/quarantine/withdraw', auth, { records: [ref(2)], note: 'x' })).status).toBe(status);
    }
    expect(await state()).toEqual(before);
  }, 120_000);

  it('a record withdrawn between its cleanse and the reprocess run is never reprocessed nor billed', async () => {
    const { m, api, load, ref, a, provision } = await setup();
    const op = m.provider.auth;
    await provision(a);
    // The API starts the run right after the cleanse; the query alone holds the records CLEANSED, as in that moment.
    const requestId = `RR-${uid('withdraw')}`;
    const cleansed = await cleanseRecords(ctx.database.sql, m.provider.party.id, { refs: [parseRef(ref(3))!] },
      { actorPartyId: m.provider.party.id, note: 'provisioned', at: new Date().toISOString(), requestId });
    expect(cleansed).toEqual({ cleansed: 2, refs: [ref(3), ref(4)] });
    expect(await api.ok('POST', '/v1/quarantine/withdraw', op, { records: [ref(3)], note: 'carrier withdrew it' }, 200)).toEqual({ withdrawn: 1 });

    const run = await ctx.temporal.workflow.execute(quarantineReprocess, { taskQueue: ctx.taskQueue, workflowId: quarantineReprocessWorkflowId(requestId), args: [{ requestId }] });
    expect(run).toMatchObject({ claimed: 1, completed: 1, finished: true });
    expect((await api.ok('GET', `/v1/quarantine/reprocess/${requestId}`, op, undefined, 200)).counts).toEqual({ COMPLETED: 1, WITHDRAWN: 1 });
    const history = await api.ok('GET', `/v1/mediated-records/${ref(3)}`, op, undefined, 200);
    expect(history.record.status).toBe('WITHDRAWN');
    expect(history.events.map((e: { action: string; fromStatus: string; toStatus: string }) => [e.action, e.fromStatus, e.toStatus])).toEqual([
      ['cleanse', 'QUARANTINED', 'CLEANSED'], ['withdraw', 'CLEANSED', 'WITHDRAWN'],
    ]);
    expect((await ctx.database.sql`select count(*)::int as n from billable_records where source_ref = ${load.id}`)[0]!.n).toBe(2);
  }, 120_000);
});
