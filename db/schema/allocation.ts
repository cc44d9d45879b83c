import { sql } from 'drizzle-orm';
import { check, foreignKey, index, jsonb, numeric, pgEnum, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { OWNER_KINDS, type AllocationPart, type AllocationRule } from '../../domain/allocation';
import { parties } from './parties';

// Cost allocation (SPEC §4.2, items 54-55): an organisation's owners (departments, cost centres,
// projects, people), its split rules, and the charges split by them. Everything belongs to the party
// that keeps the books (party_id), so another party's owners and charges are invisible. A charge is
// split once, when recorded, and its parts are kept: a later change of the rule does not rewrite a
// closed period. Ids are the callers' business ids, so recording the same charge twice is a no-op.

export const allocationOwnerKind = pgEnum('allocation_owner_kind', OWNER_KINDS);

export const allocationOwners = pgTable(
  'allocation_owners',
  {
    partyId: text('party_id').notNull().references(() => parties.id),
    id: text('id').notNull(),
    kind: allocationOwnerKind('kind').notNull(),
    parentId: text('parent_id'),
    name: text('name').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.partyId, t.id] }),
    foreignKey({ columns: [t.partyId, t.parentId], foreignColumns: [t.partyId, t.id], name: 'allocation_owners_parent_fk' }),
  ],
);

export const allocationRules = pgTable(
  'allocation_rules',
  {
    partyId: text('party_id').notNull().references(() => parties.id),
    id: text('id').notNull(),
    name: text('name').notNull(),
    rule: jsonb('rule').$type<AllocationRule>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.partyId, t.id] })],
);

export const allocationCharges = pgTable(
  'allocation_charges',
  {
    partyId: text('party_id').notNull().references(() => parties.id),
    id: text('id').notNull(),
    /** Reporting period, "YYYY-MM". */
    period: text('period').notNull(),
    amount: numeric('amount').notNull(),
    description: text('description').notNull().default(''),
    ruleId: text('rule_id').notNull(),
    /** The split, exact, summing to `amount`. */
    parts: jsonb('parts').$type<AllocationPart[]>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.partyId, t.id] }),
    index('allocation_charges_period_idx').on(t.partyId, t.period),
    foreignKey({ columns: [t.partyId, t.ruleId], foreignColumns: [allocationRules.partyId, allocationRules.id], name: 'allocation_charges_rule_fk' }),
    check('allocation_charges_period_format', sql`${t.period} ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'`),
  ],
);
