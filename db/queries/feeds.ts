import { createHash, randomUUID } from 'node:crypto';
import { and, asc, eq, sql as dsql } from 'drizzle-orm';
import type { FeedDefinition } from '../../domain/mediation';
import type { DbOrTx } from '../client';
import { feedLoadChunks, feedLoads, feeds, feedVersions } from '../schema';

// Feeds and their loads: versioned definitions, received bytes stored in 1 MiB chunks, and the
// content hash that makes a file load once per feed.

export const LOAD_CHUNK_BYTES = 1024 * 1024;

export type FeedLoad = typeof feedLoads.$inferSelect;

export async function findFeed(db: DbOrTx, feedId: string) {
  const [row] = await db.select().from(feeds).where(eq(feeds.id, feedId));
  return row;
}

export async function findFeedVersion(db: DbOrTx, feedId: string, version: number) {
  const [row] = await db.select().from(feedVersions).where(and(eq(feedVersions.feedId, feedId), eq(feedVersions.version, version)));
  return row;
}

export const listFeedVersions = (db: DbOrTx, feedId: string) =>
  db.select().from(feedVersions).where(eq(feedVersions.feedId, feedId)).orderBy(asc(feedVersions.version));

/**
 * Stores a feed definition as the feed's next version (the first creates the feed). Returns
 * 'exists' when the feed belongs to another party, 'stale' when `definition.version` is not the next one.
 */
export async function saveFeedVersion(db: DbOrTx, ownerPartyId: string, definition: FeedDefinition, createdBy: string) {
  return db.transaction(async (tx) => {
    await tx.insert(feeds).values({ id: definition.id, ownerPartyId, currentVersion: 0 }).onConflictDoNothing();
    const [feed] = await tx.select().from(feeds).where(eq(feeds.id, definition.id)).for('update');
    if (feed!.ownerPartyId !== ownerPartyId) return { outcome: 'exists' as const, feed: feed! };
    if (definition.version !== feed!.currentVersion + 1) return { outcome: 'stale' as const, feed: feed! };
    await tx.insert(feedVersions).values({ feedId: definition.id, version: definition.version, definition, createdBy });
    const [updated] = await tx.update(feeds).set({ currentVersion: definition.version }).where(eq(feeds.id, definition.id)).returning();
    return { outcome: 'created' as const, feed: updated! };
  });
}

export async function findLoad(db: DbOrTx, loadId: string) {
  const [row] = await db.select().from(feedLoads).where(eq(feedLoads.id, loadId));
  return row;
}

/** A new load receiving bytes; `id` given (a directory file named by its hash) makes it idempotent. */
export async function insertLoad(db: DbOrTx, values: { id?: string; feedId: string; feedVersion: number; name: string; source: string }) {
  const id = values.id ?? `FL-${randomUUID()}`;
  await db.insert(feedLoads).values({ ...values, id }).onConflictDoNothing();
  return (await findLoad(db, id))!;
}

export async function insertLoadChunk(db: DbOrTx, loadId: string, chunkNo: number, data: Buffer) {
  await db.insert(feedLoadChunks).values({ loadId, chunkNo, data }).onConflictDoNothing();
}

/** Streams `source` into the load's chunks and returns its size and sha256. */
export async function storeLoadBytes(db: DbOrTx, loadId: string, source: Iterable<Uint8Array> | AsyncIterable<Uint8Array>, maxBytes: number, tooLarge: () => Error) {
  const hash = createHash('sha256');
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let total = 0;
  let chunkNo = 0;
  const flush = async () => {
    if (pendingBytes === 0) return;
    await insertLoadChunk(db, loadId, chunkNo++, Buffer.concat(pending));
    pending = [];
    pendingBytes = 0;
  };
  for await (const part of source) {
    total += part.byteLength;
    if (total > maxBytes) throw tooLarge();
    hash.update(part);
    pending.push(part);
    pendingBytes += part.byteLength;
    if (pendingBytes >= LOAD_CHUNK_BYTES) await flush();
  }
  await flush();
  return { sizeBytes: total, contentHash: hash.digest('hex') };
}

/**
 * Marks a load's bytes complete. When the feed already has a load with the same content, this one
 * is dropped and the earlier one returned with `duplicate: true` (a file is loaded once).
 */
export async function completeLoadBytes(db: DbOrTx, loadId: string, feedId: string, contentHash: string, sizeBytes: number): Promise<{ load: FeedLoad; duplicate: boolean }> {
  const earlier = async () => (await db.select().from(feedLoads).where(and(eq(feedLoads.feedId, feedId), eq(feedLoads.contentHash, contentHash))))[0];
  const existing = await earlier();
  if (existing && existing.id !== loadId) {
    await discardLoad(db, loadId);
    return { load: existing, duplicate: true };
  }
  try {
    const [updated] = await db.update(feedLoads).set({ contentHash, sizeBytes, status: dsql`case when ${feedLoads.status} = 'receiving' then 'received'::feed_load_status else ${feedLoads.status} end` })
      .where(eq(feedLoads.id, loadId)).returning();
    return { load: updated!, duplicate: false };
  } catch (err) {
    // The same bytes finished arriving in another request a moment ago: the unique (feed, hash) decides.
    const failure = err as { code?: string; cause?: { code?: string } };
    if ((failure.code ?? failure.cause?.code) !== '23505') throw err;
    await discardLoad(db, loadId);
    return { load: (await earlier())!, duplicate: true };
  }
}

export async function discardLoad(db: DbOrTx, loadId: string) {
  await db.delete(feedLoadChunks).where(eq(feedLoadChunks.loadId, loadId));
  await db.delete(feedLoads).where(and(eq(feedLoads.id, loadId), eq(feedLoads.status, 'receiving')));
}

/** The stored bytes of a load, a few chunks per query, in order. */
export async function* loadBytes(db: DbOrTx, loadId: string): AsyncGenerator<Uint8Array> {
  for (let next = 0; ;) {
    const rows = await db.select({ chunkNo: feedLoadChunks.chunkNo, data: feedLoadChunks.data }).from(feedLoadChunks)
      .where(and(eq(feedLoadChunks.loadId, loadId), dsql`${feedLoadChunks.chunkNo} >= ${next}`)).orderBy(asc(feedLoadChunks.chunkNo)).limit(4);
    if (rows.length === 0) return;
    for (const row of rows) yield row.data;
    next = rows[rows.length - 1]!.chunkNo + 1;
  }
}
