import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { csvRecord, escapeExportCell, escapeFormulaText, quoteCsvField } from '../../../domain/usage-file/export-escape';
import { CsvRecordParser } from '../../../lib/spreadsheet/csv-parser';
import { DEFAULT_LIMITS } from '../../../lib/spreadsheet/limits';

describe('formula injection escaping', () => {
  it.each([
    ['=HYPERLINK("http://x","click")', `'=HYPERLINK("http://x","click")`],
    ['+1+1', "'+1+1"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tTAB', "'\tTAB"],
    ['\rCR', "'\rCR"],
    ['plain', 'plain'],
    ['a=b', 'a=b'],
    ['', ''],
    [' =1', ' =1'],
  ])('text %j exports as %j', (value, expected) => {
    expect(escapeFormulaText(value)).toBe(expected);
    expect(escapeExportCell(value, 'text')).toBe(expected);
  });

  it.each([
    // A numeric column keeps its plain decimals: -5.00 is data, not a formula.
    ['-5.00', '-5.00'],
    ['12.05', '12.05'],
    ['-0.0001', '-0.0001'],
    ['0', '0'],
    // Anything else in a numeric column is treated as text.
    ['-1+2', "'-1+2"],
    ['=1', "'=1"],
    ['+5', "'+5"],
    ['-', "'-"],
    ['@', "'@"],
  ])('number %j exports as %j', (value, expected) => {
    expect(escapeExportCell(value, 'number')).toBe(expected);
  });

  it('escapes a negative number written in a text column (text columns are always escaped)', () => {
    expect(escapeExportCell('-5.00', 'text')).toBe("'-5.00");
  });

  it('never lets an exported cell start a formula (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.constantFrom('text' as const, 'number' as const), (value, type) => {
        const escaped = escapeExportCell(value, type);
        const dangerous = /^[=+\-@\t\r]/.test(escaped);
        expect(dangerous && !(type === 'number' && /^-\d+(\.\d+)?$/.test(escaped))).toBe(false);
      }),
    );
  });
});

describe('RFC 4180 quoting', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\r', '"cr\r"'],
    ['', ''],
  ])('%j is written %j', (value, expected) => {
    expect(quoteCsvField(value)).toBe(expected);
  });

  it('round-trips any fields through our CSV parser (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.string({ unit: fc.constantFrom('a', 'b', ',', '"', '\n', '\r', ' ', 'é') }), { minLength: 2, maxLength: 5 }), { minLength: 1, maxLength: 5 }), (records) => {
        const parser = new CsvRecordParser(DEFAULT_LIMITS);
        const parsed = parser.push(records.map(csvRecord).join(''), true);
        expect(parsed.map((r) => r.fields)).toEqual(records);
      }),
    );
  });
});
