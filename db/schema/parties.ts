import { index, pgEnum, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const partyKind = pgEnum('party_kind', ['vendor', 'provider', 'customer', 'internal']);
export const apiKeyRole = pgEnum('api_key_role', ['vendor', 'provider', 'billing_manager', 'admin', 'ops']);

export const parties = pgTable('parties', {
  id: text('id').primaryKey(),
  kind: partyKind('kind').notNull(),
  name: text('name').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

// Keys are stored as a SHA-256 of the whole key: keys are 192-bit random, so a slow hash adds nothing.
export const apiKeys = pgTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    partyId: text('party_id').notNull().references(() => parties.id),
    role: apiKeyRole('role').notNull(),
    keyHash: text('key_hash').notNull().unique(),
    label: text('label').notNull().default(''),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [index('api_keys_party_idx').on(t.partyId)],
);
