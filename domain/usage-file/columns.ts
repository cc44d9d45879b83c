// The Connect usage-file template as data (SPEC §1.6): which sheets are read, which columns the
// records and categories sheets have, and which of them each reporting schema requires. The
// template writer, the header check and the row validator all read these tables, so a column
// rule lives in exactly one place.

export const USAGE_SCHEMAS = ['QT', 'PR', 'CR', 'TR'] as const;
export type UsageSchema = (typeof USAGE_SCHEMAS)[number];

/** Item precision as the Connect API spells it (SPEC §1.1). */
export const ITEM_PRECISIONS = ['integer', 'decimal_1', 'decimal_2', 'decimal_4', 'decimal_8'] as const;
export type ItemPrecision = (typeof ITEM_PRECISIONS)[number];

/** How many decimals a quantity of an item with this precision may carry. */
export const PRECISION_DECIMALS: Readonly<Record<ItemPrecision, number>> = {
  integer: 0,
  decimal_1: 1,
  decimal_2: 2,
  decimal_4: 4,
  decimal_8: 8,
};

/** Accepted names of the records sheet: `records` (2023 docs), `usage_records` (the SDKs). */
export const RECORDS_SHEET_NAMES = ['records', 'usage_records'] as const;
export const CATEGORIES_SHEET_NAME = 'categories';
/** The other sheets of the template; written, never read. */
export const TEMPLATE_SHEET_NAMES = ['instructions', 'general', 'categories', 'records'] as const;

/** The category a record gets when its category_id cell is empty (the haxe SDK's fallback). */
export const GENERIC_CATEGORY_ID = 'generic_category';

export const CATEGORY_COLUMNS = ['category_id', 'category_name', 'category_description'] as const;
export type CategoryColumnName = (typeof CATEGORY_COLUMNS)[number];

/** Item search criteria macros; `item.id` is our addition (SPEC §1.6 marks it `?`). */
export const ITEM_CRITERIA = ['item.mpn', 'item.global_id', 'item.id'] as const;
export type ItemCriterion = (typeof ITEM_CRITERIA)[number];
export const ASSET_ID_CRITERION = 'asset.id';
/** `parameter.{param_id}`: the asset whose parameter param_id has the search value. */
export const ASSET_PARAMETER_PREFIX = 'parameter.';

export type RecordColumnName =
  | 'record_id'
  | 'record_note'
  | 'item_search_criteria'
  | 'item_search_value'
  | 'quantity'
  | 'amount'
  | 'start_time_utc'
  | 'end_time_utc'
  | 'asset_search_criteria'
  | 'asset_search_value'
  | 'asset_recon_id'
  | 'item_name'
  | 'item_mpn'
  | 'item_unit'
  | 'item_precision'
  | 'category_id'
  | 'tier';

export interface RecordColumn {
  readonly name: RecordColumnName;
  /** Older names accepted on upload (the 2019 template called record_id `usage_record_id`). */
  readonly aliases: readonly string[];
  /** Schemas whose files must have this column and a value in it on every row. */
  readonly requiredIn: readonly UsageSchema[];
  /** Schemas under which the column is read at all; under the others it is ignored. */
  readonly usedIn: readonly UsageSchema[];
  /** Only in files of products with dynamic items on (it describes an item to create). */
  readonly dynamicOnly: boolean;
  readonly meaning: string;
  readonly example: string;
}

const ALL: readonly UsageSchema[] = USAGE_SCHEMAS;
const PRICED: readonly UsageSchema[] = ['PR', 'CR', 'TR'];
const NONE: readonly UsageSchema[] = [];

function column(
  name: RecordColumnName,
  requiredIn: readonly UsageSchema[],
  meaning: string,
  example: string,
  more: Partial<Pick<RecordColumn, 'aliases' | 'usedIn' | 'dynamicOnly'>> = {},
): RecordColumn {
  return { name, aliases: [], usedIn: ALL, dynamicOnly: false, ...more, requiredIn, meaning, example };
}

/** Records-sheet columns in template order (SPEC §1.6). */
export const RECORD_COLUMNS: readonly RecordColumn[] = [
  column('record_id', ALL, 'Your unique id for the row; must not repeat within the file.', 'r-0001', {
    aliases: ['usage_record_id'],
  }),
  column('record_note', NONE, 'Free text note.', 'March storage'),
  column('item_search_criteria', ALL, 'How to find the item: item.mpn, item.global_id or item.id.', 'item.mpn'),
  column('item_search_value', ALL, 'The MPN, global id or id of the item.', 'MPN-STORAGE-GB'),
  column('quantity', ALL, "Quantity consumed; a plain number with no more decimals than the item's precision.", '120.5'),
  column('amount', PRICED, 'Money: end-customer price (PR), distributor cost (CR) or the price of the tier (TR).', '12.05', {
    usedIn: PRICED,
  }),
  column('start_time_utc', ALL, 'Start of the usage, YYYY-MM-DD hh:mm:ss in UTC.', '2024-03-01 00:00:00'),
  column('end_time_utc', ALL, 'End of the usage, YYYY-MM-DD hh:mm:ss in UTC; not before the start.', '2024-03-31 23:59:59'),
  column('asset_search_criteria', ALL, 'How to find the asset: asset.id or parameter.{param_id}.', 'asset.id'),
  column('asset_search_value', ALL, 'The asset id, or the value of the parameter.', 'AS-1234-5678-9012'),
  column('asset_recon_id', NONE, 'Reconciliation id of the asset; may replace the asset search columns.', ''),
  column('item_name', NONE, 'Dynamic items only: name of an item not in the product.', 'Extra storage', { dynamicOnly: true }),
  column('item_mpn', NONE, 'Dynamic items only: MPN of the new item.', 'MPN-EXTRA-GB', { dynamicOnly: true }),
  column('item_unit', NONE, 'Dynamic items only: unit of the new item, e.g. GB/hour.', 'GB', { dynamicOnly: true }),
  column('item_precision', NONE, 'Dynamic items only: integer, decimal(1), decimal(2), decimal(4) or decimal(8).', 'decimal(2)', {
    dynamicOnly: true,
  }),
  column('category_id', NONE, `A category_id from the categories sheet; empty means ${GENERIC_CATEGORY_ID}.`, ''),
  column('tier', ['TR'], 'Tier the price applies to: 0 = end customer, 1 and 2 = reseller tiers.', '0', { usedIn: ['TR'] }),
];

const columnsByHeader: ReadonlyMap<string, RecordColumn> = new Map(
  RECORD_COLUMNS.flatMap((c) => [c.name, ...c.aliases].map((header) => [header, c] as const)),
);

/** The record column a header names (aliases included), or undefined for an extra column. */
export function recordColumnOf(header: string): RecordColumn | undefined {
  return columnsByHeader.get(header);
}

/** Columns of the records sheet of a template for this schema, in order. */
export function templateColumns(schema: UsageSchema, options: { dynamic: boolean }): RecordColumnName[] {
  return RECORD_COLUMNS.filter((c) => c.usedIn.includes(schema) && (options.dynamic || !c.dynamicOnly)).map(
    (c) => c.name,
  );
}

/** Columns a file of this schema must have (before the alternatives of `findMissingColumns`). */
export function requiredColumns(schema: UsageSchema): RecordColumnName[] {
  return RECORD_COLUMNS.filter((c) => c.requiredIn.includes(schema)).map((c) => c.name);
}

const precisionSpellings: ReadonlyMap<string, ItemPrecision> = new Map<string, ItemPrecision>(
  ITEM_PRECISIONS.flatMap((p): Array<[string, ItemPrecision]> =>
    p === 'integer' ? [[p, p]] : [[p, p], [`decimal(${p.replace('decimal_', '')})`, p]],
  ),
);

/** Parses an item precision as written in a sheet: `integer`, `decimal(2)` or `decimal_2` (any case). */
export function parseItemPrecision(text: string): ItemPrecision | undefined {
  return precisionSpellings.get(text.trim().toLowerCase());
}
