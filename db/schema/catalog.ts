import { boolean, index, integer, jsonb, numeric, pgEnum, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { ITEM_PRECISIONS, USAGE_SCHEMAS } from '../../domain/usage-file/columns';
import { parties } from './parties';

// The catalog a usage file refers to: contracts between a vendor and a provider, the vendor's
// products (one reporting schema each) and their items, the provider's assets (subscriptions),
// and the provider's usage rules per product.

export const contractStatus = pgEnum('contract_status', ['active', 'inactive']);
export const usageSchema = pgEnum('usage_schema', USAGE_SCHEMAS);
export const itemPrecision = pgEnum('item_precision', ITEM_PRECISIONS);
export const itemType = pgEnum('item_type', ['ppu', 'reservation']);

export const contracts = pgTable(
  'contracts',
  {
    id: text('id').primaryKey(),
    vendorId: text('vendor_id').notNull().references(() => parties.id),
    providerId: text('provider_id').notNull().references(() => parties.id),
    name: text('name').notNull(),
    status: contractStatus('status').notNull().default('active'),
    /** Where review requests for this contract's usage files are mailed. */
    providerEmail: text('provider_email').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('contracts_vendor_idx').on(t.vendorId), index('contracts_provider_idx').on(t.providerId)],
);

export const products = pgTable(
  'products',
  {
    id: text('id').primaryKey(),
    vendorId: text('vendor_id').notNull().references(() => parties.id),
    name: text('name').notNull(),
    schema: usageSchema('schema').notNull(),
    dynamicItems: boolean('dynamic_items').notNull().default(false),
    futureCharges: boolean('future_charges').notNull().default(false),
    lateCharges: boolean('late_charges').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('products_vendor_idx').on(t.vendorId)],
);

export const items = pgTable(
  'items',
  {
    id: text('id').primaryKey(),
    productId: text('product_id').notNull().references(() => products.id),
    mpn: text('mpn').notNull(),
    globalId: text('global_id'),
    name: text('name').notNull(),
    unit: text('unit').notNull(),
    precision: itemPrecision('precision').notNull(),
    type: itemType('type').notNull(),
    /** Set when the item was created by a usage file (dynamic items). */
    createdByFileId: text('created_by_file_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  // One MPN per product: a dynamic item created twice (a retried activity) is created once.
  (t) => [uniqueIndex('items_product_mpn_idx').on(t.productId, t.mpn)],
);

export const assets = pgTable(
  'assets',
  {
    id: text('id').primaryKey(),
    productId: text('product_id').notNull().references(() => products.id),
    providerId: text('provider_id').notNull().references(() => parties.id),
    customerId: text('customer_id'),
    customerName: text('customer_name').notNull().default(''),
    externalId: text('external_id'),
    /** Parameter id → value; `parameter.{id}` searches look here. */
    params: jsonb('params').$type<Record<string, string>>().notNull().default({}),
    reconId: text('recon_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('assets_product_idx').on(t.productId, t.providerId)],
);

/**
 * A provider's rule for accepting a product's files automatically (SPEC §1.9, open question 6):
 * accept when every set limit holds; otherwise wait for a person, reminded after N days.
 */
export const usageRules = pgTable(
  'usage_rules',
  {
    productId: text('product_id').notNull().references(() => products.id),
    providerId: text('provider_id').notNull().references(() => parties.id),
    autoAccept: boolean('auto_accept').notNull().default(false),
    maxTotalAmount: numeric('max_total_amount'),
    maxRecords: integer('max_records'),
    maxAgeDays: integer('max_age_days'),
    reminderAfterDays: numeric('reminder_after_days'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.productId, t.providerId] })],
);
