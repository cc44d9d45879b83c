import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Context } from '@temporalio/activity';
import type { Database } from '../db/client';
import { completeLoadBytes, findFeed, findLoad, insertLoad, storeLoadBytes } from '../db/queries/feeds';

// Collection of a watched directory: <dir>/<feedId>/<file>. A file is named by its content (feed +
// sha256), so the same bytes are stored once whatever the file is called and however often the
// directory is read; a file still being written (modified in the last few seconds, or *.part/*.tmp)
// waits for the next run.

const SETTLE_MS = 2_000;
const sha256 = async (path: string) => {
  const hash = createHash('sha256');
  for await (const part of createReadStream(path)) hash.update(part as Buffer);
  return hash.digest('hex');
};

export function feedCollectionActivities({ db }: Pick<Database, 'db'>) {
  return {
    /** Stores every new file of the directory as a load; returns the loads waiting to be mediated. */
    async collectFeedFiles(input: { directory: string }): Promise<{ loadIds: string[] }> {
      const loadIds: string[] = [];
      const feedDirs = await readdir(input.directory, { withFileTypes: true });
      for (const feedDir of feedDirs.filter((d) => d.isDirectory())) {
        const feed = await findFeed(db, feedDir.name);
        if (!feed) continue;
        const dir = join(input.directory, feedDir.name);
        for (const name of (await readdir(dir)).sort()) {
          const path = join(dir, name);
          const info = await stat(path);
          if (!info.isFile() || name.startsWith('.') || /\.(part|tmp)$/.test(name) || Date.now() - info.mtimeMs < SETTLE_MS) continue;
          const contentHash = await sha256(path);
          const id = `FL-${createHash('sha256').update(`${feed.id}\u0000${contentHash}`).digest('hex').slice(0, 32)}`;
          const existing = await findLoad(db, id);
          if (existing && existing.status !== 'receiving' && existing.status !== 'received') continue;
          const load = existing ?? (await insertLoad(db, { id, feedId: feed.id, feedVersion: feed.currentVersion, name, source: `directory:${path}` }));
          if (load.status === 'receiving') {
            const bytes = await storeLoadBytes(db, load.id, createReadStream(path), Number.MAX_SAFE_INTEGER, () => new Error('unreachable'));
            const stored = await completeLoadBytes(db, load.id, feed.id, bytes.contentHash, bytes.sizeBytes);
            if (stored.duplicate) continue;
          }
          loadIds.push(load.id);
          Context.current().heartbeat(path);
        }
      }
      return { loadIds };
    },
  };
}
