import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileInstantParser, formatUtcInstant } from '../../../domain/mediation/date-time';
import { canonicalDecimal, shiftDecimal } from '../../../domain/mediation/decimal-text';

describe('formatUtcInstant', () => {
  it('writes the same text as Date#toISOString', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(-500, 0, 1), max: Date.UTC(12000, 0, 1) }), (epochMs) => {
        expect(formatUtcInstant(epochMs)).toBe(new Date(epochMs).toISOString());
      }),
    );
  });
});

describe('pattern parsing round-trips', () => {
  it('yyyy-MM-dd HH:mm:ss.SSS in UTC reads back what toISOString wrote', () => {
    const parse = compileInstantParser('yyyy-MM-dd HH:mm:ss.SSS');
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(9999, 11, 31) }), (epochMs) => {
        const text = new Date(epochMs).toISOString().replace('T', ' ').slice(0, 23);
        expect(parse(text)).toBe(epochMs);
      }),
    );
  });

  it.each(['2024-13-01 00:00:00', '2024-02-30 00:00:00', '2024-01-01 24:00:00', '2024-01-01 00:60:00', '2024-01-01 00:00', '2024-01-01x00:00:00', '2024-01-0a 00:00:00'])('refuses %s', (text) => {
    expect(compileInstantParser('yyyy-MM-dd HH:mm:ss')(text)).toBeNull();
  });
});

describe('decimal text', () => {
  it.each([
    ['007.50', '7.5'], ['0.0', '0'], ['0', '0'], ['10', '10'], ['1.', null], ['.5', null], ['-1', null], ['1e3', null], ['', null], ['1.2.3', null],
  ])('canonicalDecimal(%s) = %s', (input, expected) => {
    expect(canonicalDecimal(input)).toBe(expected);
  });

  it('shiftDecimal by -e then +e gives the value back', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 20n }), fc.integer({ min: 0, max: 8 }), fc.integer({ min: -12, max: 12 }), (digits, scale, exponent) => {
        const value = canonicalDecimal(scale === 0 ? digits.toString() : shiftDecimal(digits.toString(), -scale))!;
        expect(shiftDecimal(shiftDecimal(value, exponent), -exponent)).toBe(value);
      }),
    );
  });
});
