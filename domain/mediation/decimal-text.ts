// Decimal strings without Decimal objects: canonical form and shifts by powers of ten, which is all a
// bytes -> MB or ms -> s conversion needs. Anything else goes through decimal.js (see transforms.ts).

/** Canonical non-negative decimal ("007.50" -> "7.5", "0.0" -> "0"), or null when not one. */
export function canonicalDecimal(text: string): string | null {
  const length = text.length;
  if (length === 0) return null;
  let dot = -1;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code === 46) {
      if (dot >= 0 || i === 0 || i === length - 1) return null;
      dot = i;
    } else if (code < 48 || code > 57) return null;
  }
  let start = 0;
  const intEnd = dot < 0 ? length : dot;
  while (start < intEnd - 1 && text.charCodeAt(start) === 48) start++;
  if (dot < 0) return start === 0 ? text : text.slice(start);
  let end = length;
  while (end > dot + 1 && text.charCodeAt(end - 1) === 48) end--;
  if (end === dot + 1) end = dot;
  return start === 0 && end === length ? text : text.slice(start, end);
}

/** value × 10^exponent for a canonical non-negative decimal string, exactly, in canonical form. */
export function shiftDecimal(value: string, exponent: number): string {
  if (exponent === 0) return value;
  const dot = value.indexOf('.');
  const intPart = dot < 0 ? value : value.slice(0, dot);
  const fracPart = dot < 0 ? '' : value.slice(dot + 1);
  const allDigits = intPart + fracPart;
  const point = intPart.length + exponent;
  let text: string;
  if (point <= 0) text = `0.${'0'.repeat(-point)}${allDigits}`;
  else if (point >= allDigits.length) text = allDigits + '0'.repeat(point - allDigits.length);
  else text = `${allDigits.slice(0, point)}.${allDigits.slice(point)}`;
  return canonicalDecimal(text) ?? text;
}
