import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  PRECISION_DECIMALS,
  RECORD_COLUMNS,
  parseItemPrecision,
  recordColumnOf,
  requiredColumns,
  templateColumns,
} from '../../../domain/usage-file/columns';
import { parsePlainDecimal } from '../../../domain/usage-file/decimal-text';
import { forbiddenTextReason } from '../../../domain/usage-file/text-rules';
import { formatSheetTimestamp, parseSheetTimestampMs } from '../../../domain/usage-file/time';

describe('columns (SPEC §1.6)', () => {
  it.each([
    ['QT', false, ['record_id', 'record_note', 'item_search_criteria', 'item_search_value', 'quantity', 'start_time_utc', 'end_time_utc', 'asset_search_criteria', 'asset_search_value', 'asset_recon_id', 'category_id']],
    ['PR', false, ['record_id', 'record_note', 'item_search_criteria', 'item_search_value', 'quantity', 'amount', 'start_time_utc', 'end_time_utc', 'asset_search_criteria', 'asset_search_value', 'asset_recon_id', 'category_id']],
    ['TR', true, ['record_id', 'record_note', 'item_search_criteria', 'item_search_value', 'quantity', 'amount', 'start_time_utc', 'end_time_utc', 'asset_search_criteria', 'asset_search_value', 'asset_recon_id', 'item_name', 'item_mpn', 'item_unit', 'item_precision', 'category_id', 'tier']],
  ] as const)('the %s template (dynamic %s) has its columns in order', (schema, dynamic, columns) => {
    expect(templateColumns(schema, { dynamic })).toEqual(columns);
  });

  it('QT requires exactly the 8 columns of the 2019 template', () => {
    expect(requiredColumns('QT')).toEqual([
      'record_id', 'item_search_criteria', 'item_search_value', 'quantity',
      'start_time_utc', 'end_time_utc', 'asset_search_criteria', 'asset_search_value',
    ]);
  });

  it.each([
    ['PR', ['amount']],
    ['CR', ['amount']],
    ['TR', ['amount', 'tier']],
  ] as const)('%s adds %j', (schema, extra) => {
    expect(requiredColumns(schema)).toEqual([...requiredColumns('QT').slice(0, 4), ...extra.filter((c) => c === 'amount'), ...requiredColumns('QT').slice(4), ...extra.filter((c) => c === 'tier')]);
  });

  it.each([
    ['usage_record_id', 'record_id'],
    ['record_id', 'record_id'],
    ['v.anything', undefined],
    ['__proto__', undefined],
    ['constructor', undefined],
  ])('header %s is column %s', (header, name) => {
    expect(recordColumnOf(header)?.name).toBe(name);
  });

  it('describes every column', () => {
    for (const column of RECORD_COLUMNS) expect(column.meaning.length).toBeGreaterThan(5);
  });

  it.each([
    ['integer', 'integer'],
    [' Integer ', 'integer'],
    ['decimal(1)', 'decimal_1'],
    ['decimal_2', 'decimal_2'],
    ['DECIMAL(4)', 'decimal_4'],
    ['decimal(8)', 'decimal_8'],
    ['decimal(3)', undefined],
    ['decimal(2', undefined],
    ['decimal', undefined],
    ['2', undefined],
  ])('precision %j parses to %s', (text, precision) => {
    expect(parseItemPrecision(text)).toBe(precision);
  });

  it('maps each precision to its decimals', () => {
    expect(PRECISION_DECIMALS).toEqual({ integer: 0, decimal_1: 1, decimal_2: 2, decimal_4: 4, decimal_8: 8 });
  });
});

describe('sheet timestamps', () => {
  it.each([
    ['2024-03-01 00:00:00', '2024-03-01T00:00:00.000Z'],
    ['2024-02-29 23:59:59', '2024-02-29T23:59:59.000Z'],
    ['2000-02-29 12:00:00', '2000-02-29T12:00:00.000Z'],
    ['1900-01-01 00:00:00', '1900-01-01T00:00:00.000Z'],
    ['9999-12-31 23:59:59', '9999-12-31T23:59:59.000Z'],
  ])('%s is %s', (text, iso) => {
    expect(new Date(parseSheetTimestampMs(text) ?? NaN).toISOString()).toBe(iso);
  });

  it.each(['1900-02-29 00:00:00', '2100-02-29 00:00:00', '2024-00-10 00:00:00', '2024-13-01 00:00:00', '2024-06-31 00:00:00', '2024-01-00 00:00:00', '1899-12-31 23:59:59', ' 2024-03-01 00:00:00', '2024-03-01  00:00:00'])(
    '%j is not a timestamp',
    (text) => expect(parseSheetTimestampMs(text)).toBeUndefined(),
  );

  it('formats and parses back every second it can write', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1900, 0, 1) / 1000, max: Date.UTC(9999, 11, 31) / 1000 }), (seconds) => {
        expect(parseSheetTimestampMs(formatSheetTimestamp(seconds * 1000))).toBe(seconds * 1000);
      }),
    );
  });

  it('rounds float noise of a spreadsheet date to the nearest second', () => {
    expect(formatSheetTimestamp(Date.UTC(2024, 2, 1, 12) - 1)).toBe('2024-03-01 12:00:00');
  });
});

describe('plain decimals', () => {
  it.each([
    ['0', '0', 0],
    ['-0', '0', 0],
    ['000', '0', 0],
    ['1.50', '1.5', 1],
    ['-12.0500', '-12.05', 2],
    ['0.00000001', '0.00000001', 8],
    ['123456789012345678901234567890.12345678', '123456789012345678901234567890.12345678', 8],
  ])('%s is %s with %d decimals', (text, canonical, decimals) => {
    expect(parsePlainDecimal(text)).toEqual({ text: canonical, decimals });
  });

  it.each(['', '-', '.', '1.', '.1', '+1', '1e5', '0x10', '1_000', ' 1', 'Infinity', '1.2.3', '9'.repeat(39)])('%j is not a plain decimal', (text) => {
    expect(parsePlainDecimal(text)).toBeUndefined();
  });

  it('keeps the value of any decimal it accepts (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.integer({ min: 0, max: 10 }), (units, scale) => {
        const digits = (units < 0n ? -units : units).toString().padStart(scale + 1, '0');
        const text = `${units < 0n ? '-' : ''}${digits.slice(0, digits.length - scale)}${scale ? `.${digits.slice(-scale)}` : ''}`;
        const parsed = parsePlainDecimal(text);
        expect(parsed).toBeDefined();
        // Canonical text denotes the same number: compare as scaled integers.
        const [whole = '', fraction = ''] = (parsed?.text ?? '').replace('-', '').split('.');
        const back = BigInt(whole + fraction.padEnd(scale, '0')) * (parsed?.text.startsWith('-') ? -1n : 1n);
        expect(back).toBe(units);
      }),
    );
  });
});

describe('forbidden text', () => {
  it.each([
    ['®', "contains the character '®' (U+00AE); only plain ASCII characters are accepted"],
    ['\u0000', 'contains the character U+0000; only plain ASCII characters are accepted'],
    ['\u007f', 'contains the character U+007F; only plain ASCII characters are accepted'],
    ['😀', "contains the character '😀' (U+1F600); only plain ASCII characters are accepted"],
    ['<i>x</i>', 'contains the HTML tag <i>'],
    ['<IMG SRC=x onerror=alert(1)>', 'contains the HTML tag <IMG SRC=x onerror=alert(1)>'],
  ])('%j: %s', (text, reason) => {
    expect(forbiddenTextReason(text)).toBe(reason);
  });

  it('accepts all printable ASCII, tab, CR and LF (property)', () => {
    const printable = fc.string({ unit: fc.constantFrom(...' \t\r\nabcXYZ019~!@#$%^&*()_+-=[]{};:\'",./?|\\`'.split('')) });
    fc.assert(
      fc.property(printable, (text) => {
        expect(forbiddenTextReason(text.replaceAll('<', ''))).toBeUndefined();
      }),
    );
  });
});
