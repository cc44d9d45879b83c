// Everything we write as a spreadsheet, as one import: the template a vendor fills (per product
// schema), the processed file that shows an invalid upload's errors cell by cell, the CSV list of
// those errors, and exports of accepted usage. Each piece lives in its own file.

export { buildUsageTemplate } from './usage-template';
export { buildProcessedFile, type ProcessedFileInput, type ProcessedSheet } from './processed-file';
export { buildExport, errorsToCsv, type ExportColumn, type ExportFormat, type ExportRow } from './export-file';
