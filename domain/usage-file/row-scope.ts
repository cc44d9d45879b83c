import { recordColumnOf, type RecordColumnName } from './columns';
import type { CellError, CellErrorCode } from './cell-error';

/** One parsed sheet row: header → cell text. Readers build `cells` without a prototype. */
export interface RawRow {
  /** 1-based spreadsheet row number (the header is row 1). */
  readonly rowNumber: number;
  readonly cells: Readonly<Record<string, string>>;
}

/**
 * The cells of one row as the rules read them: by record column (aliases resolved, values
 * trimmed), collecting at most one error per cell so the processed file shows one reason per cell.
 */
export class RowScope {
  readonly errors: CellError[] = [];
  /** Allocated on the first error: most rows have none. */
  private failedColumns: Set<string> | undefined;

  constructor(readonly row: RawRow) {}

  /** The header this file uses for a column (`usage_record_id` for record_id in a 2019 file). */
  header(name: RecordColumnName): string {
    if (Object.hasOwn(this.row.cells, name)) return name;
    const alias = recordColumnOf(name)?.aliases.find((a) => Object.hasOwn(this.row.cells, a));
    return alias ?? name;
  }

  /** The trimmed cell of a column; '' when the column is absent or the cell empty. */
  value(name: RecordColumnName): string {
    return this.cellText(this.header(name));
  }

  cellText(header: string): string {
    return Object.hasOwn(this.row.cells, header) ? (this.row.cells[header] ?? '').trim() : '';
  }

  /** Records an error on a cell unless that cell already has one. */
  fail(column: string, code: CellErrorCode, message: string): void {
    if (this.hasFailed(column)) return;
    (this.failedColumns ??= new Set()).add(column);
    this.errors.push({ row: this.row.rowNumber, column, code, message });
  }

  hasFailed(column: string): boolean {
    return this.failedColumns !== undefined && this.failedColumns.has(column);
  }

  /** The value of a required column, or undefined after recording REQUIRED (or an earlier error). */
  required(name: RecordColumnName, why = ''): string | undefined {
    const column = this.header(name);
    if (this.hasFailed(column)) return undefined;
    const text = this.value(name);
    if (text === '') {
      this.fail(column, 'REQUIRED', `${column} is required${why}`);
      return undefined;
    }
    return text;
  }
}
