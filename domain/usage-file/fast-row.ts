import { ASSET_ID_CRITERION, ASSET_PARAMETER_PREFIX, GENERIC_CATEGORY_ID, PRECISION_DECIMALS, recordColumnOf, type RecordColumnName } from './columns';
import { prepareContext, type ProductAsset, type ValidationContext } from './context';
import { parsePlainDecimal } from './decimal-text';
import { isSuspectText } from './text-rules';
import { parseSheetTimestampMs, sheetTimestampToIso } from './time';
import type { UsageRecordDraft } from './validate-row';

// The common row of a large file, checked on its field array without building a cell map, a
// RowScope or an error: every cell plain ASCII without surrounding space, the item and asset each
// named exactly once, numbers already canonical, times inside the period. Such a row yields the
// same record `validateRow` gives (a property test holds the two together); any other row yields
// undefined and goes through `validateRow`, which says what is wrong.

/** Columns the fast path reads; a file with any other column (dynamic items, recon ids, parameters) takes the full path. */
const FAST_COLUMNS: ReadonlySet<RecordColumnName> = new Set<RecordColumnName>([
  'record_id', 'record_note', 'item_search_criteria', 'item_search_value', 'quantity', 'amount', 'start_time_utc', 'end_time_utc',
  'asset_search_criteria', 'asset_search_value', 'category_id', 'tier',
]);
const TIER_PATTERN = /^\d{1,3}$/;

export type FastRowValidator = (fields: readonly string[], rowNumber: number) => UsageRecordDraft | undefined;

/** A fast validator for rows under these headers, or undefined when the headers need the full path. */
export function createFastRowValidator(headers: readonly string[], context: ValidationContext): FastRowValidator | undefined {
  const at = new Map<RecordColumnName, number>();
  for (const [i, header] of headers.entries()) {
    const name = recordColumnOf(header)?.name;
    if (name === undefined || !FAST_COLUMNS.has(name) || at.has(name)) return undefined;
    at.set(name, i);
  }
  const column = (name: RecordColumnName) => at.get(name) ?? -1;
  const [recordId, note, criteria, search, quantityAt, amountAt, startAt, endAt, assetCriteria, assetValue, categoryAt, tierAt] = [
    'record_id', 'record_note', 'item_search_criteria', 'item_search_value', 'quantity', 'amount', 'start_time_utc', 'end_time_utc',
    'asset_search_criteria', 'asset_search_value', 'category_id', 'tier',
  ].map((n) => column(n as RecordColumnName)) as [number, number, number, number, number, number, number, number, number, number, number, number];
  if ([recordId, criteria, search, quantityAt, startAt, endAt, assetCriteria, assetValue].includes(-1)) return undefined;
  const ctx = prepareContext(context);
  const priced = ctx.schema !== 'QT';
  const tiered = ctx.schema === 'TR';
  if ((priced && amountAt < 0) || (tiered && tierAt < 0)) return undefined;
  const { late, future } = ctx.capabilities;
  const latestEndMs = future ? Infinity : Math.min(ctx.uploadedAtMs, ctx.periodToMs);
  const earliestStartMs = late ? -Infinity : ctx.periodFromMs;
  const width = headers.length;

  const assetOf = (criterion: string, value: string): readonly ProductAsset[] | undefined => {
    if (criterion === ASSET_ID_CRITERION) return ctx.assetsById.get(value);
    if (!criterion.startsWith(ASSET_PARAMETER_PREFIX) || criterion.length === ASSET_PARAMETER_PREFIX.length) return undefined;
    return ctx.assetsByParameter(criterion.slice(ASSET_PARAMETER_PREFIX.length)).get(value);
  };

  return (fields, rowNumber) => {
    if (fields.length !== width) return undefined;
    for (const field of fields) if (field.length > 0 && !isPlainCell(field)) return undefined;
    const id = fields[recordId]!;
    if (id === '') return undefined;
    const items = ctx.itemsByCriterion.get(fields[criteria]!)?.get(fields[search]!);
    if (items?.length !== 1) return undefined;
    const item = items[0]!;
    const assets = assetOf(fields[assetCriteria]!, fields[assetValue]!);
    if (assets?.length !== 1 || fields[assetValue] === '') return undefined;
    const quantity = canonicalDecimal(fields[quantityAt]!);
    if (quantity === undefined || quantity.decimals > PRECISION_DECIMALS[item.precision]) return undefined;
    const amount = priced ? canonicalDecimal(fields[amountAt]!) : null;
    if (amount === undefined) return undefined;
    let tier: number | null = null;
    if (tiered) {
      const text = fields[tierAt]!;
      if (!TIER_PATTERN.test(text)) return undefined;
      tier = Number.parseInt(text, 10);
    }
    const start = fields[startAt]!;
    const end = fields[endAt]!;
    const startMs = parseSheetTimestampMs(start);
    const endMs = parseSheetTimestampMs(end);
    if (startMs === undefined || endMs === undefined || startMs > endMs || startMs < earliestStartMs || endMs > latestEndMs) return undefined;
    const category = categoryAt < 0 ? '' : fields[categoryAt]!;
    const categoryId = category === '' ? GENERIC_CATEGORY_ID : category;
    if (categoryId !== GENERIC_CATEGORY_ID && !ctx.categoryIds.has(categoryId)) return undefined;
    return {
      rowNumber, recordId: id, note: note < 0 ? '' : fields[note]!, item: { kind: 'existing', id: item.id, mpn: item.mpn, precision: item.precision },
      assetId: assets[0]!.id, quantity: quantity.text, amount: amount?.text ?? null, startAt: sheetTimestampToIso(start), endAt: sheetTimestampToIso(end),
      tier, categoryId, params: [],
    };
  };
}

/** Plain ASCII, no `<`, no space or control character at either end (so trimming changes nothing). */
function isPlainCell(text: string): boolean {
  return text.charCodeAt(0) > 32 && text.charCodeAt(text.length - 1) > 32 && !isSuspectText(text);
}

/**
 * A plain decimal that is already in canonical form (no leading or trailing zero, no "-0", at most
 * 38 digits) is its own canonical text; anything else goes through `parsePlainDecimal`.
 */
export function canonicalDecimal(text: string): { readonly text: string; readonly decimals: number } | undefined {
  const decimals = canonicalDecimals(text);
  return decimals >= 0 ? { text, decimals } : parsePlainDecimal(text);
}

/** Decimals of a text already in canonical plain-decimal form; -1 when it is not in that form. */
export function canonicalDecimals(text: string): number {
  const length = text.length;
  let i = text.charCodeAt(0) === 45 ? 1 : 0; // '-'
  const first = text.charCodeAt(i);
  if (first === 48) { // '0': only "0" itself or "0.x" (and "-0.x")
    if (i + 1 === length) return i === 0 ? 0 : -1;
    if (text.charCodeAt(i + 1) !== 46) return -1;
  } else if (!(first >= 49 && first <= 57)) {
    return -1;
  }
  let point = -1;
  for (i++; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code === 46 && point < 0) point = i;
    else if (code < 48 || code > 57) return -1;
  }
  if (point < 0) return length - (text.charCodeAt(0) === 45 ? 1 : 0) > 38 ? -1 : 0;
  const decimals = length - point - 1;
  if (decimals === 0 || text.charCodeAt(length - 1) === 48) return -1;
  const digits = length - 1 - (text.charCodeAt(0) === 45 ? 1 : 0);
  return digits > 38 ? -1 : decimals;
}
