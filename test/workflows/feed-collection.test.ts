import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureFeedCollectionSchedule } from '../../lib/schedules';
import { feedCollection } from '../../workflows/feed-collection';
import { feedLoadWorkflowId } from '../../workflows/shared';
import { aCsvFeed, mediationClient, uid } from '../fixtures/mediation';
import { aMarketplace } from '../fixtures/parties';
import { useIntegration } from '../helpers/integration';

// The watched directory: each new file is stored and mediated once, however often the directory is
// collected and whatever the file is called; the worker's Schedule runs the collection lights-out.

const ctx = useIntegration();
const HEADER = 'id,number,start,seconds,type,to\n';

/** A file in <dir>/<feedId>/ that looks settled (modified a minute ago). */
function drop(dir: string, feedId: string, name: string, text: string) {
  mkdirSync(join(dir, feedId), { recursive: true });
  const path = join(dir, feedId, name);
  writeFileSync(path, text);
  const past = new Date(Date.now() - 60_000);
  utimesSync(path, past, past);
}

describe('feed collection from a watched directory', () => {
  it('loads each new file once and skips files still being written', async () => {
    const m = await aMarketplace(ctx.database.db);
    const api = mediationClient(ctx.app);
    const feedId = uid('feed');
    await api.ok('POST', '/v1/feeds', m.provider.auth, aCsvFeed(feedId), 201);
    const dir = mkdtempSync(join(tmpdir(), 'meterflow-watch-'));
    const collect = async () => (await ctx.temporal.workflow.execute(feedCollection, { taskQueue: ctx.taskQueue, workflowId: uid('collect'), args: [{ directory: dir }] })).started;

    drop(dir, feedId, 'a.csv', `${HEADER}c1,+441,2024-03-04T10:00:00Z,60,voice,+442\n`);
    drop(dir, feedId, 'b.csv.part', `${HEADER}c2,+441,2024-03-04T11:00:00Z,60,voice,+442\n`);
    mkdirSync(join(dir, 'no-such-feed'));
    const first = await collect();
    expect(first).toHaveLength(1);
    await ctx.temporal.workflow.getHandle(feedLoadWorkflowId(first[0]!)).result();
    const load = await api.loaded(first[0]!, m.provider.auth);
    expect(load).toMatchObject({ feedId, name: 'a.csv', rows: 1, counts: { QUARANTINED: 1 } });

    // Again, plus the same bytes under another name: nothing new.
    drop(dir, feedId, 'a-copy.csv', `${HEADER}c1,+441,2024-03-04T10:00:00Z,60,voice,+442\n`);
    expect(await collect()).toEqual([]);
    drop(dir, feedId, 'c.csv', `${HEADER}c3,+441,2024-03-05T10:00:00Z,60,voice,+442\n`);
    expect(await collect()).toHaveLength(1);
    const [{ n }] = await ctx.database.sql<[{ n: number }]>`select count(*)::int as n from feed_loads where feed_id = ${feedId}`;
    expect(n).toBe(2);
  }, 60_000);

  it('is run by a Temporal Schedule the worker creates (and updates when it exists)', async () => {
    const options = { directory: '/srv/feeds', intervalSeconds: 30, taskQueue: ctx.taskQueue };
    await ensureFeedCollectionSchedule(ctx.temporal, options);
    const handle = await ensureFeedCollectionSchedule(ctx.temporal, { ...options, intervalSeconds: 45 });
    const described = await handle.describe();
    expect(described.spec.intervals?.[0]?.every).toBe(45_000);
    expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'feedCollection', args: [{ directory: '/srv/feeds' }], taskQueue: ctx.taskQueue });
    await handle.delete();
  });
});
