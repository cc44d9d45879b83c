import { describe, expect, inject, it } from 'vitest';
import { completeLoadBytes, insertLoad, storeLoadBytes } from '../../db/queries/feeds';
import { startFeedLoad } from '../../api/routes/feeds';
import { startProcess, waitFor, type Proc } from '../../lib/processes';
import { seededRandom } from '../../lib/seeded-random';
import { anAsteriskFeed, asteriskCdrCsv } from '../fixtures/cdr';
import { mediationClient, uid } from '../fixtures/mediation';
import { aMarketplace } from '../fixtures/parties';
import { useIntegration } from '../helpers/integration';

// Crash test: the worker process is killed (SIGKILL) at seeded random moments, at least 20 times,
// while a 100,000-record Asterisk CDR file is mediated in chunks of 2,000, and restarted each time.
// The load must end with exactly the counts per status of an undisturbed load of the same file into
// a twin feed, the same outcome row by row, and no record rated (billed) twice.

const ctx = useIntegration({ worker: false });
const ROWS = 100_000;
const KILLS = 20;
const SEED = Number(process.env.CRASH_SEED ?? 20261122);
const EXTENSIONS = Array.from({ length: 20 }, (_, i) => String(1001 + i));

const outcome = (loadId: string) => ctx.database.sql`
  select row_no, record_id, status, reason, amount::text, service_id, period_start_at from mediated_records where load_id = ${loadId} order by row_no`;

describe('feed load crash test', () => {
  it(`survives ${KILLS} SIGKILLs of the worker while a ${ROWS.toLocaleString('en')}-record CDR file is mediated`, async () => {
    const env = {
      DATABASE_URL: inject('databaseUrl'), TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_TASK_QUEUE: ctx.taskQueue,
      WORKFLOW_BUNDLE_PATH: inject('workflowBundlePath'), LOG_LEVEL: 'error',
    };
    const startWorker = async () => {
      const w = startProcess('worker.ts', [], env);
      await waitFor('a worker', () => w.output().includes('worker ready'), w);
      return w;
    };
    const m = await aMarketplace(ctx.database.db);
    const api = mediationClient(ctx.app);
    await api.aCustomer(m.provider.auth, m.admin.auth, [0, 1, 2, 3].map((s) => ({ id: uid('svc'), identifiers: EXTENSIONS.filter((_, i) => i % 4 === s) })), 'EXTENSION');
    const csv = Buffer.from(asteriskCdrCsv(ROWS, EXTENSIONS));
    const load = async () => {
      const feedId = uid('asterisk');
      await api.ok('POST', '/v1/feeds', m.provider.auth, anAsteriskFeed(feedId), 201);
      const row = await insertLoad(ctx.database.db, { feedId, feedVersion: 1, name: 'Master.csv', source: 'test' });
      const bytes = await storeLoadBytes(ctx.database.db, row.id, [csv], csv.byteLength, () => new Error('too large'));
      await completeLoadBytes(ctx.database.db, row.id, feedId, bytes.contentHash, bytes.sizeBytes);
      await startFeedLoad(ctx, row.id, 2_000);
      return row.id;
    };
    const random = seededRandom(SEED);
    let worker: Proc = await startWorker();
    try {
      const crashed = await load();
      const moments: number[] = [];
      let duringLoad = 0;
      for (let kill = 0; kill < KILLS; kill++) {
        const ms = Math.round(200 + random() * 1_000);
        moments.push(ms);
        await new Promise((r) => setTimeout(r, ms));
        const [state] = await ctx.database.sql`select status from feed_loads where id = ${crashed}`;
        if (state!.status !== 'loaded') duringLoad++;
        await worker.kill('SIGKILL');
        worker = await startWorker();
      }
      const done = await api.loaded(crashed, m.provider.auth, 300_000);
      console.log(`feed crash test: seed ${SEED}, ${KILLS} kills (${duringLoad} while loading) after ${moments.join(', ')} ms; counts ${JSON.stringify(done.counts)}`);
      expect(duringLoad).toBeGreaterThan(0);

      const calm = await load();
      const undisturbed = await api.loaded(calm, m.provider.auth, 300_000);
      expect(done.counts).toEqual(undisturbed.counts);
      expect(done.rows).toBe(ROWS);
      expect(undisturbed.counts).toEqual({ COMPLETED: 96_500, QUARANTINED: 3_500 });
      const [a, b] = await Promise.all([outcome(crashed), outcome(calm)]);
      expect(a.length).toBe(ROWS);
      expect(JSON.stringify(a)).toBe(JSON.stringify(b));
      // No record rated twice: one billable record per completed record, one accepted key each.
      const [billed] = await ctx.database.sql`select count(*)::int as n, count(distinct id)::int as ids from billable_records where source_ref = ${crashed}`;
      expect(billed).toEqual({ n: done.counts.COMPLETED, ids: done.counts.COMPLETED });
      const [raw] = await ctx.database.sql`select count(*)::int as n from feed_raw_records where load_id = ${crashed}`;
      expect(raw!.n).toBe(ROWS);
    } finally {
      await worker.kill();
    }
  }, 900_000);
});
