import ExcelJS from 'exceljs';
import {
  CATEGORY_COLUMNS,
  GENERIC_CATEGORY_ID,
  RECORD_COLUMNS,
  templateColumns,
  type UsageSchema,
} from '../../domain/usage-file/columns';
import { HEADER_FONT } from './workbook-buffer';

// The usage-file template a vendor downloads for a product (SPEC §1.6): instructions, general,
// categories and records sheets, with the records columns of the product's schema. Every records
// column is formatted as text, so a spreadsheet program keeps `2024-03-01 00:00:00` and `r-0001`
// as typed instead of turning them into dates and numbers.

const SCHEMA_NAMES: Readonly<Record<UsageSchema, string>> = {
  QT: 'Quantity: report quantities; the provider computes every price',
  PR: 'Price Rated: report the end-customer price (amount) and the quantity',
  CR: 'Cost Rated: report your cost to the distributor (amount) and the quantity',
  TR: 'Tiers Rated: one row per tier (tier 0, 1, 2) with the price of that tier (amount) and the quantity',
};

export async function buildUsageTemplate(schema: UsageSchema, options: { dynamic: boolean }): Promise<Buffer> {
  const columns = templateColumns(schema, options);
  const workbook = new ExcelJS.Workbook();
  addInstructions(workbook, schema, columns);
  addGeneral(workbook, schema, options.dynamic);
  addHeaderSheet(workbook, 'categories', [...CATEGORY_COLUMNS]);
  addHeaderSheet(workbook, 'records', columns);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

function addInstructions(workbook: ExcelJS.Workbook, schema: UsageSchema, columns: readonly string[]): void {
  const sheet = workbook.addWorksheet('instructions');
  sheet.columns = [{ width: 24 }, { width: 12 }, { width: 90 }, { width: 24 }];
  sheet.addRow([`Usage file template, schema ${schema}`]).font = HEADER_FONT;
  sheet.addRow([SCHEMA_NAMES[schema]]);
  sheet.addRow(['Fill one row per record on the records sheet. Only the records and categories sheets are read.']);
  sheet.addRow(['Times are YYYY-MM-DD hh:mm:ss in UTC. Use plain ASCII text: no ®, © or HTML tags.']);
  sheet.addRow([`Categories: list them on the categories sheet; a record without category_id is in ${GENERIC_CATEGORY_ID}.`]);
  sheet.addRow([]);
  sheet.addRow(['column', 'required', 'meaning', 'example']).font = HEADER_FONT;
  for (const name of columns) {
    const column = RECORD_COLUMNS.find((c) => c.name === name);
    if (!column) continue;
    const required = column.requiredIn.includes(schema) ? 'yes' : column.dynamicOnly ? 'new items' : 'no';
    sheet.addRow([name, required, column.meaning, column.example]);
  }
}

function addGeneral(workbook: ExcelJS.Workbook, schema: UsageSchema, dynamic: boolean): void {
  const sheet = workbook.addWorksheet('general');
  sheet.columns = [{ width: 28 }, { width: 40 }];
  sheet.addRow(['field', 'value']).font = HEADER_FONT;
  sheet.addRow(['usage_schema', schema]);
  sheet.addRow(['dynamic_items', dynamic ? 'enabled' : 'disabled']);
  for (const field of ['report_name', 'report_note', 'report_start_time_utc', 'report_end_time_utc', 'currency']) {
    sheet.addRow([field, '']);
  }
}

function addHeaderSheet(workbook: ExcelJS.Workbook, name: string, headers: readonly string[]): void {
  const sheet = workbook.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = headers.map((header) => ({ header, key: header, width: Math.max(14, header.length + 4), style: { numFmt: '@' } }));
  sheet.getRow(1).font = HEADER_FONT;
}
