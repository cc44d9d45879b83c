import { and, asc, desc, eq, sql } from 'drizzle-orm';
import type { Caller } from '../../domain/access';
import type { FileStatus } from '../../domain/file-states';
import type { DbOrTx } from '../client';
import { usageFileEvents, usageFiles } from '../schema';

export type UsageFile = typeof usageFiles.$inferSelect;
export type NewUsageFile = typeof usageFiles.$inferInsert;

/** Inserts the file, or returns the one an earlier request with the same idempotency key made. */
export async function insertUsageFile(db: DbOrTx, file: NewUsageFile): Promise<UsageFile> {
  const [created] = await db.insert(usageFiles).values(file).onConflictDoNothing().returning();
  if (created) return created;
  const [existing] = await db
    .select()
    .from(usageFiles)
    .where(and(eq(usageFiles.vendorId, file.vendorId), eq(usageFiles.idempotencyKey, file.idempotencyKey ?? '')));
  if (!existing) throw new Error(`usage file ${file.id} was neither inserted nor found`);
  return existing;
}

/** The SQL form of domain/access.ts canSeeFile, for lists. */
function visibleTo(caller: Caller) {
  switch (caller.role) {
    case 'vendor':
      return eq(usageFiles.vendorId, caller.partyId);
    case 'provider':
      return and(eq(usageFiles.providerId, caller.partyId), eq(usageFiles.environment, 'production'));
    default:
      return undefined;
  }
}

export async function findUsageFile(db: DbOrTx, id: string): Promise<UsageFile | undefined> {
  const [file] = await db.select().from(usageFiles).where(eq(usageFiles.id, id));
  return file;
}

export async function listUsageFiles(db: DbOrTx, caller: Caller, filter: { status?: FileStatus; limit: number; offset: number }) {
  return db
    .select()
    .from(usageFiles)
    .where(and(visibleTo(caller), filter.status ? eq(usageFiles.status, filter.status) : undefined))
    .orderBy(desc(usageFiles.createdAt), desc(usageFiles.id))
    .limit(filter.limit)
    .offset(filter.offset);
}

export async function listUsageFileEvents(db: DbOrTx, fileId: string) {
  return db.select().from(usageFileEvents).where(eq(usageFileEvents.fileId, fileId)).orderBy(asc(usageFileEvents.seq));
}

export interface TransitionRecord {
  fileId: string;
  seq: number;
  action: string;
  fromStatus: FileStatus | null;
  toStatus: FileStatus;
  actorPartyId: string | null;
  actorKeyId: string | null;
  note: string;
  at: string;
}

/**
 * Records a state change once: the event's (file_id, seq) key makes a retried call a no-op, and the
 * status moves only together with a newly inserted event.
 */
export async function recordTransition(db: DbOrTx, t: TransitionRecord): Promise<{ applied: boolean }> {
  return db.transaction(async (tx) => {
    const inserted = await tx
      .insert(usageFileEvents)
      .values({ ...t, at: new Date(t.at) })
      .onConflictDoNothing()
      .returning({ seq: usageFileEvents.seq });
    if (inserted.length === 0) return { applied: false };
    await tx
      .update(usageFiles)
      .set({ status: t.toStatus, updatedAt: new Date(t.at) })
      .where(eq(usageFiles.id, t.fileId));
    return { applied: true };
  });
}

export const countEvents = (db: DbOrTx, fileId: string) =>
  db.select({ n: sql<number>`count(*)::int` }).from(usageFileEvents).where(eq(usageFileEvents.fileId, fileId));

