import { GENERIC_CATEGORY_ID, PRECISION_DECIMALS, recordColumnOf } from './columns';
import { quoteValue } from './cell-error';
import type { PreparedContext } from './context';
import { parsePlainDecimal } from './decimal-text';
import type { ItemRef } from './resolve-item';
import type { RowScope } from './row-scope';
import { forbiddenTextReason } from './text-rules';
import { formatSheetTimestamp, parseSheetTimestampMs, sheetTimestampToIso } from './time';

// The per-cell rules of a records row other than item and asset lookup (SPEC §1.7, §5 44–52).
// Each reads its cells through the RowScope and records at most one error per cell.

/** High-ASCII characters and HTML tags are refused in every cell of the row. */
export function checkForbiddenText(scope: RowScope): void {
  for (const header of Object.keys(scope.row.cells)) {
    const reason = forbiddenTextReason(scope.row.cells[header] ?? '');
    if (reason !== undefined) scope.fail(header, 'FORBIDDEN_CHARACTERS', `${header} ${reason}`);
  }
}

/** Quantity as a canonical decimal string; its decimals must fit the item's precision. */
export function checkQuantity(scope: RowScope, item: ItemRef | undefined): string | undefined {
  const text = scope.required('quantity');
  if (text === undefined) return undefined;
  const column = scope.header('quantity');
  const quantity = parsePlainDecimal(text);
  if (!quantity) {
    scope.fail(column, 'BAD_NUMBER', `quantity ${quoteValue(text)} is not a plain number (digits, an optional minus and decimal point, e.g. 120.5)`);
    return undefined;
  }
  if (!item) return quantity.text;
  const allowed = PRECISION_DECIMALS[item.precision];
  if (quantity.decimals > allowed) {
    const limit = allowed === 0 ? 'a whole number' : `at most ${allowed} decimal${allowed === 1 ? '' : 's'}`;
    scope.fail(column, 'PRECISION', `quantity ${text} has ${quantity.decimals} decimals; item ${item.mpn} has precision ${item.precision} and takes ${limit}`);
    return undefined;
  }
  return quantity.text;
}

/** Amount under PR, CR and TR (required); under QT the column is ignored and the amount is null. */
export function checkAmount(scope: RowScope, context: PreparedContext): string | null | undefined {
  if (context.schema === 'QT') return null;
  const text = scope.required('amount', ` under the ${context.schema} schema`);
  if (text === undefined) return undefined;
  const amount = parsePlainDecimal(text);
  if (!amount) {
    scope.fail(scope.header('amount'), 'BAD_NUMBER', `amount ${quoteValue(text)} is not a plain number (digits, an optional minus and decimal point, e.g. 12.05)`);
    return undefined;
  }
  return amount.text;
}

const TIER_PATTERN = /^\d{1,3}$/;

/** Tier under TR (required, 0–999); under the other schemas the column is ignored and the tier is null. */
export function checkTier(scope: RowScope, context: PreparedContext): number | null | undefined {
  if (context.schema !== 'TR') return null;
  const text = scope.required('tier', ' under the TR schema');
  if (text === undefined) return undefined;
  if (!TIER_PATTERN.test(text)) {
    scope.fail(scope.header('tier'), 'BAD_TIER', `tier ${quoteValue(text)} is not a whole number from 0 to 999`);
    return undefined;
  }
  return Number.parseInt(text, 10);
}

export interface UsageInterval {
  readonly startAt: string;
  readonly endAt: string;
}

/**
 * Start and end as ISO instants. start ≤ end; start not before the file period unless late
 * charges are on; end not after the period, nor after the upload, unless future charges are on.
 */
export function checkInterval(scope: RowScope, context: PreparedContext): UsageInterval | undefined {
  const start = checkTime(scope, 'start_time_utc');
  const end = checkTime(scope, 'end_time_utc');
  if (start === undefined || end === undefined) return undefined;
  const startColumn = scope.header('start_time_utc');
  const endColumn = scope.header('end_time_utc');
  const at = formatSheetTimestamp;
  if (start.ms > end.ms) {
    scope.fail(startColumn, 'START_AFTER_END', `start_time_utc ${start.text} is after end_time_utc ${end.text}`);
    return undefined;
  }
  const { late, future } = context.capabilities;
  let inside = true;
  if (!late && start.ms < context.periodFromMs) {
    scope.fail(startColumn, 'OUT_OF_PERIOD', `start_time_utc ${start.text} is before the file period, which starts ${at(context.periodFromMs)}; late charges are not enabled`);
    inside = false;
  }
  if (!future && end.ms > context.uploadedAtMs) {
    scope.fail(endColumn, 'FUTURE_CHARGE', `end_time_utc ${end.text} is after the upload time ${at(context.uploadedAtMs)}; future charges are not enabled`);
    inside = false;
  } else if (!future && end.ms > context.periodToMs) {
    scope.fail(endColumn, 'OUT_OF_PERIOD', `end_time_utc ${end.text} is after the file period, which ends ${at(context.periodToMs)}; future charges are not enabled`);
    inside = false;
  }
  return inside ? { startAt: sheetTimestampToIso(start.text), endAt: sheetTimestampToIso(end.text) } : undefined;
}

function checkTime(scope: RowScope, name: 'start_time_utc' | 'end_time_utc'): { text: string; ms: number } | undefined {
  const text = scope.required(name);
  if (text === undefined) return undefined;
  const ms = parseSheetTimestampMs(text);
  if (ms === undefined) {
    scope.fail(scope.header(name), 'BAD_TIME', `${name} ${quoteValue(text)} is not a real UTC time written YYYY-MM-DD hh:mm:ss`);
    return undefined;
  }
  return { text, ms };
}

/** category_id must be on the categories sheet; empty means the generic category. */
export function checkCategory(scope: RowScope, context: PreparedContext): string | undefined {
  const column = scope.header('category_id');
  if (scope.hasFailed(column)) return undefined;
  const categoryId = scope.value('category_id');
  if (categoryId === '' || categoryId === GENERIC_CATEGORY_ID) return GENERIC_CATEGORY_ID;
  if (!context.categoryIds.has(categoryId)) {
    scope.fail(column, 'UNKNOWN_CATEGORY', `category_id ${quoteValue(categoryId)} is not on the categories sheet`);
    return undefined;
  }
  return categoryId;
}

export interface RecordParam {
  readonly name: string;
  readonly value: string;
}

/** Non-empty cells of columns the template does not define (`v.`/`p.` parameters and any other). */
export function extraParams(scope: RowScope): RecordParam[] {
  const params: RecordParam[] = [];
  for (const header of Object.keys(scope.row.cells)) {
    if (recordColumnOf(header)) continue;
    const value = scope.cellText(header);
    if (value !== '') params.push({ name: header, value });
  }
  return params;
}
