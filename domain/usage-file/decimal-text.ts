// Quantities and amounts arrive as cell text and leave as decimal strings; they are never turned
// into floats. A "plain decimal" is an optional minus, digits, and optionally a point and digits:
// no exponent, no thousands separator, no leading plus or point, no currency sign.

const PLAIN_DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;
/** Digits beyond this are not usage but garbage (Postgres numeric would take them; nobody means them). */
const MAX_DIGITS = 38;

export interface PlainDecimal {
  /** Canonical text: no leading zeros in the integer part, no trailing zeros after the point, no "-0". */
  readonly text: string;
  /** Decimals that carry information (trailing zeros do not count: 1.50 has 1). */
  readonly decimals: number;
}

/** Parses a plain decimal; undefined if the text is not one or has more than 38 digits. */
export function parsePlainDecimal(text: string): PlainDecimal | undefined {
  const match = PLAIN_DECIMAL.exec(text);
  if (!match) return undefined;
  const integerPart = (match[2] ?? '').replace(/^0+(?=\d)/, '');
  const fractionPart = (match[3] ?? '').replace(/0+$/, '');
  if (integerPart.length + fractionPart.length > MAX_DIGITS) return undefined;
  const isZero = integerPart === '0' && fractionPart === '';
  const sign = match[1] === '-' && !isZero ? '-' : '';
  return {
    text: `${sign}${integerPart}${fractionPart ? `.${fractionPart}` : ''}`,
    decimals: fractionPart.length,
  };
}

/** True for text that is a plain decimal number (used to keep numeric export columns unescaped). */
export function isPlainDecimal(text: string): boolean {
  return PLAIN_DECIMAL.test(text);
}
