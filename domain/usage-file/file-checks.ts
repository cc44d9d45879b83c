import {
  CATEGORY_COLUMNS,
  RECORD_COLUMNS,
  recordColumnOf,
  requiredColumns,
  type RecordColumnName,
  type UsageSchema,
} from './columns';
import { quoteValue, sortCellErrors, type CellError } from './cell-error';
import type { ValidationContext } from './context';
import { RowScope, type RawRow } from './row-scope';
import { forbiddenTextReason } from './text-rules';
import { createRowValidator, type UsageRecordDraft } from './validate-row';

// The rules that look at more than one row: the header row, repeated record ids, the categories
// sheet, new items described differently on two rows; and `validateSheet`, which runs them all on
// a sheet held in memory.

/**
 * Errors of the records header row: a required column missing (MISSING_COLUMN) or a header
 * with forbidden characters. The asset search pair may be replaced by asset_recon_id, and with
 * dynamic items on the item search pair by item_mpn (SPEC §1.6 notes 1 and 2).
 */
export function checkHeaders(
  headers: readonly string[],
  schema: UsageSchema,
  capabilities: { readonly dynamic: boolean },
  headerRow = 1,
): CellError[] {
  const present = new Set(headers.map((h) => recordColumnOf(h)?.name).filter((n) => n !== undefined));
  const replacedBy = (name: RecordColumnName): RecordColumnName | undefined => {
    if (name.startsWith('asset_search_')) return 'asset_recon_id';
    if (name.startsWith('item_search_') && capabilities.dynamic) return 'item_mpn';
    return undefined;
  };
  const errors: CellError[] = [];
  for (const name of requiredColumns(schema)) {
    if (present.has(name)) continue;
    const alternative = replacedBy(name);
    if (alternative !== undefined && present.has(alternative)) continue;
    const aliases = RECORD_COLUMNS.find((c) => c.name === name)?.aliases ?? [];
    const also = [...aliases.map((a) => ` (or its older name ${a})`), alternative ? ` (or a column ${alternative})` : ''].join('');
    errors.push({ row: headerRow, column: name, code: 'MISSING_COLUMN', message: `the ${schema} schema requires a column ${name}${also}` });
  }
  for (const header of headers) {
    const reason = forbiddenTextReason(header);
    if (reason !== undefined) errors.push({ row: headerRow, column: header, code: 'FORBIDDEN_CHARACTERS', message: `header ${reason}` });
  }
  return errors;
}

/**
 * A record_id used on more than one row makes every one of those rows invalid (SPEC §5 46).
 * Ids are compared after trimming, case-sensitively; empty ids are left to the REQUIRED rule.
 */
export function findDuplicateRecordIds(rows: Iterable<RawRow>): CellError[] {
  const rowsById = new Map<string, Array<{ row: number; column: string }>>();
  for (const row of rows) {
    const scope = new RowScope(row);
    const recordId = scope.value('record_id');
    if (recordId === '') continue;
    const seen = rowsById.get(recordId);
    const where = { row: row.rowNumber, column: scope.header('record_id') };
    if (seen) seen.push(where);
    else rowsById.set(recordId, [where]);
  }
  const errors: CellError[] = [];
  for (const [recordId, places] of rowsById) {
    if (places.length < 2) continue;
    for (const place of places) {
      const others = places.filter((p) => p !== place).map((p) => p.row);
      const shown = others.length > 5 ? `${others.slice(0, 5).join(', ')} and ${others.length - 5} more` : others.join(', ');
      errors.push({
        ...place,
        code: 'DUPLICATE_RECORD_ID',
        message: `record_id ${quoteValue(recordId)} is also used on row${others.length > 1 ? 's' : ''} ${shown}; record ids must be unique in the file`,
      });
    }
  }
  return errors;
}

/** One new MPN must be described the same way (name, unit, precision) on every row that creates it. */
export function findDynamicItemConflicts(records: Iterable<UsageRecordDraft>): CellError[] {
  const firstByMpn = new Map<string, UsageRecordDraft>();
  const errors: CellError[] = [];
  for (const record of records) {
    const { item } = record;
    if (item.kind !== 'dynamic') continue;
    const first = firstByMpn.get(item.mpn);
    if (!first || first.item.kind !== 'dynamic') {
      firstByMpn.set(item.mpn, record);
      continue;
    }
    const fields = [
      ['item_name', item.name, first.item.name],
      ['item_unit', item.unit, first.item.unit],
      ['item_precision', item.precision, first.item.precision],
    ] as const;
    const differing = fields.find(([, mine, theirs]) => mine !== theirs);
    if (differing) {
      const [column, mine, theirs] = differing;
      errors.push({
        row: record.rowNumber,
        column,
        code: 'DYNAMIC_ITEM_CONFLICT',
        message: `${column} ${quoteValue(mine)} differs from ${quoteValue(theirs)} given for the new item ${quoteValue(item.mpn)} on row ${first.rowNumber}`,
      });
    }
  }
  return errors;
}

export interface Category {
  readonly id: string;
  readonly name: string;
  readonly description: string;
}

export interface CategoriesResult {
  readonly categories: readonly Category[];
  /** Ids of the valid categories, for ValidationContext.categoryIds. */
  readonly categoryIds: ReadonlySet<string>;
  readonly errors: readonly CellError[];
}

/** The categories sheet: category_id required and unique; no forbidden text in any cell. */
export function validateCategories(headers: readonly string[], rows: Iterable<RawRow>, headerRow = 1): CategoriesResult {
  const [idColumn, nameColumn, descriptionColumn] = CATEGORY_COLUMNS;
  if (!headers.includes(idColumn)) {
    const error: CellError = { row: headerRow, column: idColumn, code: 'MISSING_COLUMN', message: `the categories sheet requires a column ${idColumn}` };
    return { categories: [], categoryIds: new Set(), errors: [error] };
  }
  const errors: CellError[] = [];
  const categories: Category[] = [];
  const firstRowById = new Map<string, number>();
  for (const row of rows) {
    const scope = new RowScope(row);
    for (const header of Object.keys(row.cells)) {
      const reason = forbiddenTextReason(row.cells[header] ?? '');
      if (reason !== undefined) scope.fail(header, 'FORBIDDEN_CHARACTERS', `${header} ${reason}`);
    }
    const id = scope.cellText(idColumn);
    if (id === '') scope.fail(idColumn, 'REQUIRED', `${idColumn} is required`);
    const firstRow = firstRowById.get(id);
    if (id !== '' && firstRow !== undefined) {
      scope.fail(idColumn, 'DUPLICATE_CATEGORY_ID', `category_id ${quoteValue(id)} is already defined on row ${firstRow}`);
    }
    if (id !== '' && firstRow === undefined) firstRowById.set(id, row.rowNumber);
    errors.push(...scope.errors);
    if (scope.errors.length === 0) {
      categories.push({ id, name: scope.cellText(nameColumn), description: scope.cellText(descriptionColumn) });
    }
  }
  return { categories, categoryIds: new Set(categories.map((c) => c.id)), errors };
}

export interface SheetResult {
  /** Valid records, in row order; empty when the header row fails. */
  readonly records: readonly UsageRecordDraft[];
  /** All cell errors, ordered by row and then by column position. */
  readonly errors: readonly CellError[];
}

/**
 * Validates a whole records sheet held in memory: the header row first (when it fails, rows are
 * not checked — every row would only repeat the missing column), then every row, then the
 * file-level rules. Activities processing large files in chunks call the pieces instead.
 */
export function validateSheet(
  sheet: { readonly headers: readonly string[]; readonly rows: readonly RawRow[]; readonly headerRowNumber?: number },
  context: ValidationContext,
): SheetResult {
  const headerErrors = checkHeaders(sheet.headers, context.schema, context.capabilities, sheet.headerRowNumber ?? 1);
  if (headerErrors.length > 0) return { records: [], errors: sortCellErrors(headerErrors, sheet.headers) };

  const validate = createRowValidator(context);
  const errors: CellError[] = [];
  let records: UsageRecordDraft[] = [];
  for (const row of sheet.rows) {
    const result = validate(row);
    if (result.ok) records.push(result.record);
    else errors.push(...result.errors);
  }
  const fileErrors = [...findDuplicateRecordIds(sheet.rows), ...findDynamicItemConflicts(records)];
  const failedRows = new Set(fileErrors.map((e) => e.row));
  records = records.filter((r) => !failedRows.has(r.rowNumber));
  return { records, errors: sortCellErrors([...errors, ...fileErrors], sheet.headers) };
}
