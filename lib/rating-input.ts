import { ValidationError } from '../domain/errors';
import { parseUsageRecords, recordFromColumns, recordFromJson, type UsageRecord } from '../domain/rating';
import { openCsv } from './spreadsheet/csv-reader';

// Records sent to the rating API, as a JSON array or as CSV text (the column convention of
// docs/rating.md). Every error names where: `body.records[3].start`, or the CSV row and column.

/** Largest selection the API rates inline; larger ones go through a what-if run or a usage file. */
export const MAX_INLINE_RECORDS = 100_000;

function tooMany(count: number): ValidationError {
  return new ValidationError(`at most ${MAX_INLINE_RECORDS} records per request (got ${count})`, [{ path: 'body.records', message: 'too many records' }]);
}

function relocate(err: unknown, path: (index: number) => string): never {
  if (!(err instanceof ValidationError)) throw err;
  const issues = err.issues.map((issue) => ({
    ...issue,
    path: issue.path.replace(/^\$\[(\d+)\]/, (_m, i: string) => path(Number(i))),
  }));
  throw new ValidationError(`${err.message}: ${issues.slice(0, 5).map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
}

export function recordsFromJson(rows: readonly unknown[]): UsageRecord[] {
  if (rows.length > MAX_INLINE_RECORDS) throw tooMany(rows.length);
  try {
    return parseUsageRecords(rows.map(recordFromJson));
  } catch (err) {
    return relocate(err, (i) => `body.records[${i}]`);
  }
}

export async function recordsFromCsv(text: string): Promise<UsageRecord[]> {
  const sheet = await openCsv(Buffer.from(text, 'utf8'), { maxRows: MAX_INLINE_RECORDS });
  const rows: Array<Record<string, unknown>> = [];
  const rowNumbers: number[] = [];
  for await (const row of sheet.rows) {
    rows.push(recordFromColumns(row.cells as Record<string, string>));
    rowNumbers.push(row.rowNumber);
  }
  try {
    return parseUsageRecords(rows);
  } catch (err) {
    return relocate(err, (i) => `body.csv row ${rowNumbers[i]}`);
  }
}
