// The rules of a usage file's records sheet (SPEC §1.7, §5 43–52), as one import. A row either
// becomes a normalized record or yields the errors of its failing cells; the file is valid only
// when its header row and every row are, and no file-level rule (repeated record ids, one new MPN
// described two ways) fails.

export type { CellError, CellErrorCode } from './cell-error';
export { CELL_ERROR_CODES, sortCellErrors } from './cell-error';
export type { ValidationContext, ProductItem, ProductAsset } from './context';
export type { ItemRef } from './resolve-item';
export type { RecordParam } from './row-fields';
export type { RawRow } from './row-scope';
export { createRowValidator, validateRow, type RowResult, type UsageRecordDraft } from './validate-row';
export {
  checkHeaders,
  findDuplicateRecordIds,
  findDynamicItemConflicts,
  validateCategories,
  validateSheet,
  type CategoriesResult,
  type Category,
  type SheetResult,
} from './file-checks';
