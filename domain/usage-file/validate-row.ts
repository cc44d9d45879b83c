import type { CellError } from './cell-error';
import { prepareContext, type PreparedContext, type ValidationContext } from './context';
import { resolveAssetId } from './resolve-asset';
import { resolveItem, type ItemRef } from './resolve-item';
import {
  checkAmount,
  checkCategory,
  checkForbiddenText,
  checkInterval,
  checkQuantity,
  checkTier,
  extraParams,
  type RecordParam,
} from './row-fields';
import { RowScope, type RawRow } from './row-scope';

// Validation of one records row of a usage file (SPEC §1.7, §5 43–52): the row becomes a
// normalized record, or yields the errors of its failing cells.

/** A valid records row, normalized: decimal strings, ISO instants, resolved references. */
export interface UsageRecordDraft {
  readonly rowNumber: number;
  readonly recordId: string;
  /** record_note; '' when none. */
  readonly note: string;
  readonly item: ItemRef;
  readonly assetId: string;
  /** Canonical decimal string (no trailing zeros); never more decimals than the item's precision. */
  readonly quantity: string;
  /** Canonical decimal string under PR, CR, TR (price in the file's currency); null under QT. */
  readonly amount: string | null;
  /** ISO 8601 UTC, e.g. 2024-03-01T00:00:00.000Z. */
  readonly startAt: string;
  readonly endAt: string;
  /** Under TR only; null otherwise. */
  readonly tier: number | null;
  /** From the categories sheet, or `generic_category`. */
  readonly categoryId: string;
  /** Non-empty cells of extra columns (`v.`, `p.` and others), in header order. */
  readonly params: readonly RecordParam[];
}

export type RowResult =
  | { readonly ok: true; readonly record: UsageRecordDraft }
  | { readonly ok: false; readonly errors: readonly CellError[] };

/**
 * A validator for the rows of one file: checks and indexes the context once (throws
 * ValidationError for a malformed context), then validates each row with map lookups.
 */
export function createRowValidator(context: ValidationContext): (row: RawRow) => RowResult {
  const prepared = prepareContext(context);
  return (row) => validatePrepared(row, prepared);
}

const preparedContexts = new WeakMap<ValidationContext, PreparedContext>();

/**
 * Validates one row. The context's indexes are built on first use and reused for the same context
 * object, which must therefore not be mutated afterwards (build a new one instead).
 */
export function validateRow(row: RawRow, context: ValidationContext): RowResult {
  let prepared = preparedContexts.get(context);
  if (!prepared) {
    prepared = prepareContext(context);
    preparedContexts.set(context, prepared);
  }
  return validatePrepared(row, prepared);
}

function validatePrepared(row: RawRow, context: PreparedContext): RowResult {
  const scope = new RowScope(row);
  checkForbiddenText(scope);
  const recordId = scope.required('record_id');
  const item = resolveItem(scope, context);
  const assetId = resolveAssetId(scope, context);
  const quantity = checkQuantity(scope, item);
  const amount = checkAmount(scope, context);
  const tier = checkTier(scope, context);
  const interval = checkInterval(scope, context);
  const categoryId = checkCategory(scope, context);
  const params = extraParams(scope);

  if (
    scope.errors.length > 0 ||
    recordId === undefined ||
    item === undefined ||
    assetId === undefined ||
    quantity === undefined ||
    amount === undefined ||
    tier === undefined ||
    interval === undefined ||
    categoryId === undefined
  ) {
    return { ok: false, errors: scope.errors };
  }
  const note = scope.hasFailed(scope.header('record_note')) ? '' : scope.value('record_note');
  return {
    ok: true,
    record: { rowNumber: row.rowNumber, recordId, note, item, assetId, quantity, amount, ...interval, tier, categoryId, params },
  };
}
