import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';

// Writes a workbook with ExcelJS's streaming writer (rows are flushed as they are committed, so a
// processed file of a million rows does not hold a million row objects) and collects the bytes.

export type StreamingWorkbook = ExcelJS.stream.xlsx.WorkbookWriter;

export async function writeStreamingWorkbook(fill: (workbook: StreamingWorkbook) => Promise<void>): Promise<Buffer> {
  const output = new PassThrough();
  const chunks: Buffer[] = [];
  output.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    output.on('end', resolve);
    output.on('error', reject);
  });
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: output, useStyles: true, useSharedStrings: false });
  await fill(workbook);
  await workbook.commit();
  await ended;
  return Buffer.concat(chunks);
}

export const HEADER_FONT: Partial<ExcelJS.Font> = { bold: true };
