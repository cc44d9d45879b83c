import type { createApp } from '../api/app';
import type { Database } from '../db/client';
import type { Proc } from '../lib/processes';

// A CDR file through the API as an operator sends it, shared by `npm run bench:mediation` and the
// mediation modules of `npm run bench`: JSON set-up calls, the upload into a feed, and the wait
// until the worker has mediated and rated every record of the load.

type App = ReturnType<typeof createApp>;
type Auth = Record<string, string>;

/** POSTs JSON; anything but a 2xx throws with the answer. */
export function apiPoster(app: App) {
  return async (path: string, auth: Auth, body: unknown): Promise<{ id: string }> => {
    const res = await app.request(path, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (res.status >= 300) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
    return res.json() as Promise<{ id: string }>;
  };
}

/** Uploads the file into the feed (202: stored, its feedLoad workflow started) and returns the load id. */
export async function uploadFeedFile(app: App, feedId: string, auth: Auth, body: Buffer | ReadableStream<Uint8Array>): Promise<string> {
  const res = await app.request(`/v1/feeds/${feedId}/loads?name=Master.csv`, { method: 'POST', headers: { ...auth, 'content-type': 'text/csv' }, body, duplex: 'half' } as RequestInit);
  if (res.status !== 202) throw new Error(`upload into ${feedId} answered ${res.status}: ${await res.text()}`);
  const load = (await res.json()) as { id: string; duplicate: boolean };
  if (load.duplicate) throw new Error(`upload into ${feedId} was the same content as load ${load.id}: nothing was mediated`);
  return load.id;
}

/** Waits until the load is `loaded` (every record rated or quarantined), polling every 20 ms; fails early when `worker` exits. */
export async function waitLoaded(database: Pick<Database, 'sql'>, loadId: string, worker?: Proc, timeoutMs = 3_600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await database.sql<Array<{ status: string }>>`select status from feed_loads where id = ${loadId}`;
    if (row!.status === 'loaded') return;
    if (Date.now() > deadline || worker?.child.exitCode != null) {
      throw new Error(`load ${loadId} not loaded (status ${row!.status})${worker ? `; worker output:\n${worker.output()}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}
