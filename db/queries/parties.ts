import { createHash, randomBytes } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import type { Caller, Role } from '../../domain/access';
import { newId } from '../../lib/ids';
import type { DbOrTx } from '../client';
import { apiKeys, parties } from '../schema';

export type PartyKind = (typeof parties.$inferInsert)['kind'];

export const hashApiKey = (key: string) => createHash('sha256').update(key).digest('hex');

export async function createParty(db: DbOrTx, input: { kind: PartyKind; name: string; id?: string }) {
  const [party] = await db
    .insert(parties)
    .values({ id: input.id ?? newId('PA'), kind: input.kind, name: input.name })
    .returning();
  return party!;
}

/** Creates a key and returns it in clear text once; only its hash is stored. */
export async function createApiKey(db: DbOrTx, input: { partyId: string; role: Role; label?: string }) {
  const id = newId('AK');
  const key = `mf_${randomBytes(24).toString('base64url')}`;
  await db.insert(apiKeys).values({ id, partyId: input.partyId, role: input.role, keyHash: hashApiKey(key), label: input.label ?? '' });
  return { id, key, partyId: input.partyId, role: input.role };
}

export async function findCallerByKey(db: DbOrTx, key: string): Promise<Caller | undefined> {
  const [row] = await db
    .select({ keyId: apiKeys.id, partyId: apiKeys.partyId, role: apiKeys.role })
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, hashApiKey(key)), isNull(apiKeys.revokedAt)));
  return row;
}

export async function findParty(db: DbOrTx, id: string) {
  const [party] = await db.select().from(parties).where(eq(parties.id, id));
  return party;
}
