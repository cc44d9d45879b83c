import { FileFormatError, type FileLocation } from '../../domain/errors';

// Why a whole file is refused before any of its rows is validated. Codes are stable; activities
// turn a FileFormatError into a non-retryable failure and the file becomes invalid with the message
// as its error detail.

export const FILE_FORMAT_CODES = [
  'FILE_TOO_LARGE',
  'EMPTY_FILE', // no header row
  'INVALID_UTF8',
  'ROW_TOO_LONG',
  'TOO_MANY_COLUMNS',
  'TOO_MANY_ROWS',
  'CELL_TOO_LONG',
  'UNTERMINATED_QUOTE',
  'BAD_QUOTE', // a quote inside an unquoted field, or text after a closing quote
  'EMPTY_HEADER',
  'DUPLICATE_HEADER',
  'FORBIDDEN_HEADER', // __proto__, constructor, prototype
  'CELL_WITHOUT_HEADER', // a value right of the last header
  'NOT_A_ZIP',
  'ZIP_UNSUPPORTED', // zip64, multi-disk, encryption, a compression method other than stored/deflate
  'ZIP_CORRUPT', // inconsistent headers, overlapping or duplicated entries, bad deflate data
  'ZIP_TOO_MANY_ENTRIES',
  'ZIP_TOO_LARGE', // declared uncompressed size over the limit
  'ZIP_RATIO', // an entry compressed suspiciously well
  'ZIP_SIZE_MISMATCH', // an entry inflates to more than it declares
  'MISSING_SHEET',
  'AMBIGUOUS_SHEET',
  'BAD_XLSX', // a workbook part that cannot be parsed
] as const;
export type FileFormatCode = (typeof FILE_FORMAT_CODES)[number];

export function formatError(code: FileFormatCode, message: string, location: FileLocation = {}): FileFormatError {
  return new FileFormatError(code, message, location);
}
