import { randomInt } from 'node:crypto';

const digits = (n: number) => Array.from({ length: n }, () => randomInt(10)).join('');

/** Connect-style ids: `UF-2026-11-1234-5678` for usage files; `PA-1234-5678` for parties, etc. */
export function newUsageFileId(now: Date = new Date()): string {
  const month = String(now.getUTCMonth() + 1).padStart(2, '0');
  return `UF-${now.getUTCFullYear()}-${month}-${digits(4)}-${digits(4)}`;
}

export function newId(prefix: 'PA' | 'AK'): string {
  return `${prefix}-${digits(4)}-${digits(4)}-${digits(4)}`;
}
