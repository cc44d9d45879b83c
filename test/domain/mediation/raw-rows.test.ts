import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRawRowParser, parseRawRows, type FeedFormat } from '../../../domain/mediation/index';

const csv = (overrides: Partial<Extract<FeedFormat, { kind: 'delimited' }>> = {}): FeedFormat => ({ kind: 'delimited', delimiter: ',', quote: '"', header: true, skipLines: 0, ...overrides });
const rowsOf = (text: string, format: FeedFormat) => parseRawRows(text, format).map((row) => (row.ok ? row.row : { error: row.code, line: row.lineNumber }));

describe('delimited text', () => {
  it.each([
    ['a header row', 'a,b\n1,2\n3,4\n', csv(), [{ a: '1', b: '2' }, { a: '3', b: '4' }]],
    ['CRLF and no final newline', 'a,b\r\n1,2\r\n3,4', csv(), [{ a: '1', b: '2' }, { a: '3', b: '4' }]],
    ['a byte-order mark', '\uFEFFa,b\n1,2\n', csv(), [{ a: '1', b: '2' }]],
    ['blank lines skipped', 'a,b\n\n1,2\n\n', csv(), [{ a: '1', b: '2' }]],
    ['quoted delimiter, doubled quote', 'a,b\n"x,y","say ""hi"""\n', csv(), [{ a: 'x,y', b: 'say "hi"' }]],
    ['a quoted line break', 'a,b\n"line1\nline2",2\n', csv(), [{ a: 'line1\nline2', b: '2' }]],
    ['empty quoted and unquoted cells', 'a,b,c\n"",,x\n', csv(), [{ a: '', b: '', c: 'x' }]],
    ['semicolons', 'a;b\n1,5;2\n', csv({ delimiter: ';' }), [{ a: '1,5', b: '2' }]],
    ['tabs, no quoting', 'a\tb\n"1\t2"\n', csv({ delimiter: '\t', quote: null }), [{ a: '"1', b: '2"' }]],
    ['configured columns, no header', '1,2\n', csv({ header: false, columns: ['x', 'y'] }), [{ x: '1', y: '2' }]],
    ['skipped banner lines', 'EXPORT v2\na,b\n1,2\n', csv({ skipLines: 1 }), [{ a: '1', b: '2' }]],
    ['single-quote quoting', "a,b\n'x,y',2\n", csv({ quote: "'" }), [{ a: 'x,y', b: '2' }]],
  ])('%s', (_name, text, format, rows) => {
    expect(rowsOf(text, format)).toEqual(rows);
  });

  it('reports a row with the wrong number of fields, with its line, and goes on', () => {
    expect(rowsOf('a,b\n1,2,3\n"multi\nline",2\n4\n5,6\n', csv())).toEqual([
      { error: 'COLUMN_COUNT', line: 2 },
      { a: 'multi\nline', b: '2' },
      { error: 'COLUMN_COUNT', line: 5 },
      { a: '5', b: '6' },
    ]);
  });

  it('reports a quote left open at the end', () => {
    expect(rowsOf('a,b\n1,"open\n', csv())).toEqual([{ error: 'UNCLOSED_QUOTE', line: 2 }]);
  });

  it('gives the same rows however the text is split into chunks', () => {
    const text = 'h1,h2,h3\n"a,1","b\n""q""",c\r\nplain,row,3\n\n"x",,"z"\nlast,no,newline';
    const whole = parseRawRows(text, csv());
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: text.length - 1 }), { maxLength: 8 }), (cuts) => {
        const parser = createRawRowParser(csv());
        const points = [0, ...cuts.sort((a, b) => a - b), text.length];
        const rows = points.slice(1).flatMap((end, i) => parser.push(text.slice(points[i], end)));
        expect([...rows, ...parser.finish()]).toEqual(whole);
      }),
    );
  });
});

describe('JSON lines', () => {
  it('one object per line, blank lines skipped, bad lines reported', () => {
    expect(rowsOf('{"a":1}\n\n[1]\n{bad\n{"b":"x"}', { kind: 'jsonLines' })).toEqual([
      { a: 1 },
      { error: 'INVALID_JSON', line: 3 },
      { error: 'INVALID_JSON', line: 4 },
      { b: 'x' },
    ]);
  });
});

describe('fixed width', () => {
  it('cuts 1-based columns and trims them', () => {
    const format: FeedFormat = { kind: 'fixedWidth', skipLines: 1, columns: [{ name: 'number', start: 1, length: 12 }, { name: 'seconds', start: 13, length: 5 }, { name: 'type', start: 18, length: 4 }] };
    expect(rowsOf('HEADER LINE\n447700900001   60VOIC\n447700900002    0SMS \n', format)).toEqual([
      { number: '447700900001', seconds: '60', type: 'VOIC' },
      { number: '447700900002', seconds: '0', type: 'SMS' },
    ]);
  });
});
