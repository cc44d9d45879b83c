import Decimal from 'decimal.js';
import type { CellValue } from 'exceljs';
import { formatSheetTimestamp } from '../../domain/usage-file/time';

// Every cell reaches the rules as text, as the vendor sees it in the spreadsheet program. Numbers
// are stored in .xlsx as binary doubles (1.1 is written 1.1000000000000001), and spreadsheet
// programs show them to 15 significant digits; we read them the same way, into exact decimal
// text, so a quantity typed as 1.1 is "1.1" and never passes through float arithmetic after this.

const EXCEL_SIGNIFICANT_DIGITS = 15;

/** The text of a cell value read by ExcelJS. */
export function cellText(value: CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return numberText(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : formatSheetTimestamp(value.getTime());
  if ('richText' in value) return value.richText.map((run) => run.text).join('');
  if ('error' in value) return String(value.error);
  // A formula counts for its cached result; one never calculated reads as empty.
  if ('formula' in value || 'sharedFormula' in value) return value.result === undefined ? '' : cellText(value.result as CellValue);
  if ('text' in value) return typeof value.text === 'string' ? value.text : cellText(value.text as CellValue);
  return '';
}

/** A double as a spreadsheet shows it: 15 significant digits, plain notation, no trailing zeros. */
export function numberText(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  return new Decimal(value.toPrecision(EXCEL_SIGNIFICANT_DIGITS)).toFixed();
}
