// The usage record as the rating engine reads it, and the column convention for CSV and JSON input.
// Known columns map to fields; every other column becomes an attribute that rate conditions can test.
import { z } from 'zod';
import { ValidationError } from '../errors';
import { isDecimalString, parseScaled } from '../money';
import { parseInstant } from './calendar';
import { unitInfo } from './units';

export const PRERATED_SCHEMAS = ['PR', 'CR', 'TR', 'EXTERNAL'] as const;
/** Connect reporting schemas: PR price-rated, CR cost-rated, TR tiers-rated; EXTERNAL rated elsewhere (CRM.COM pre-rated). */
export type PreratedSchema = (typeof PRERATED_SCHEMAS)[number];

export interface UsageRecord {
  id: string;
  account?: string;
  subscription?: string;
  /** ISO 8601 instant; without an offset it is UTC. */
  start: string;
  end?: string;
  /** Decimal string; takes precedence over end - start. */
  durationSeconds?: string;
  /** Decimal string in `unit`; a unit-based record without one counts as 1. */
  quantity?: string;
  unit?: string;
  usageType: string;
  category?: string;
  product?: string;
  origin?: string;
  destination?: string;
  device?: string;
  usageMethod?: string;
  sourceCategory?: string;
  destinationCategory?: string;
  recordType?: string;
  /** Amount supplied by the sender; the record is then not rated, only discounted or marked up. */
  prerated?: { amount: string; schema: PreratedSchema; tier?: number };
  attributes?: Readonly<Record<string, string>>;
}

const STRING_FIELDS = [
  'id', 'account', 'subscription', 'start', 'end', 'durationSeconds', 'quantity', 'unit', 'usageType', 'category',
  'product', 'origin', 'destination', 'device', 'usageMethod', 'sourceCategory', 'destinationCategory', 'recordType',
] as const;
type StringField = (typeof STRING_FIELDS)[number];
const STRING_FIELD_SET: ReadonlySet<string> = new Set(STRING_FIELDS);

/** CSV/JSON columns of a pre-rated amount; `amount` present makes the record pre-rated. */
export const PRERATED_COLUMNS = ['amount', 'ratingSchema', 'tier'] as const;

/**
 * A record field or attribute by name, as a string. `durationSeconds` falls back to the measured
 * duration (milliseconds) when the record does not state it.
 */
export function recordAttribute(record: UsageRecord, name: string, measuredDurationMs: number | null): string | undefined {
  if (STRING_FIELD_SET.has(name)) {
    const value = record[name as StringField];
    if (value === undefined && name === 'durationSeconds' && measuredDurationMs !== null) return millisToSeconds(measuredDurationMs);
    return value;
  }
  return record.attributes?.[name];
}

function millisToSeconds(durationMs: number): string {
  const whole = Math.floor(durationMs / 1000);
  const millis = durationMs - whole * 1000;
  if (millis === 0) return String(whole);
  return `${whole}.${String(millis).padStart(3, '0').replace(/0+$/, '')}`;
}

/**
 * Duration of the usage in milliseconds: durationSeconds, else end - start, else a quantity in a time
 * unit; null when the record states none; a message when what it states is unusable.
 */
export function recordDurationMs(record: UsageRecord, startMs: number): number | null | string {
  if (record.durationSeconds !== undefined) {
    const durationMs = parseScaled(record.durationSeconds, 3);
    return durationMs === null || durationMs < 0 ? 'durationSeconds must be a non-negative decimal with at most 3 decimals' : durationMs;
  }
  if (record.end !== undefined) {
    const endMs = parseInstant(record.end);
    if (endMs === null) return 'end is not an ISO 8601 instant';
    return endMs < startMs ? 'end is before start' : endMs - startMs;
  }
  if (record.quantity !== undefined && record.unit !== undefined) {
    const unit = unitInfo(record.unit);
    if (unit.family !== 'time') return null;
    const quantityMs = parseScaled(record.quantity, 3);
    if (quantityMs === null || quantityMs < 0) return 'quantity must be a non-negative decimal with at most 3 decimals';
    const durationMs = (quantityMs * unit.baseFactor) / 1000;
    return Number.isSafeInteger(durationMs) ? durationMs : 'the quantity is not a whole number of milliseconds';
  }
  return null;
}

const decimalField = (what: string) =>
  z.string().refine(isDecimalString, `${what} must be a decimal string such as "12.5"`);
const nonNegativeDecimal = (what: string) =>
  z.string().refine((value) => isDecimalString(value) && !value.startsWith('-'), `${what} must be a non-negative decimal string`);
const instant = z.string().refine((value) => parseInstant(value) !== null, 'expected an ISO 8601 instant such as 2024-03-01T10:00:00Z');

export const usageRecordSchema = z
  .strictObject({
    id: z.string().min(1, 'id is required'),
    account: z.string().optional(),
    subscription: z.string().optional(),
    start: instant,
    end: instant.optional(),
    durationSeconds: nonNegativeDecimal('durationSeconds').optional(),
    quantity: nonNegativeDecimal('quantity').optional(),
    unit: z.string().optional(),
    usageType: z.string({ error: 'usageType is required' }).min(1, 'usageType is required'),
    category: z.string().optional(),
    product: z.string().optional(),
    origin: z.string().optional(),
    destination: z.string().optional(),
    device: z.string().optional(),
    usageMethod: z.string().optional(),
    sourceCategory: z.string().optional(),
    destinationCategory: z.string().optional(),
    recordType: z.string().optional(),
    prerated: z
      .strictObject({
        amount: decimalField('amount'),
        schema: z.enum(PRERATED_SCHEMAS),
        tier: z.number().int().min(0).optional(),
      })
      .optional(),
    attributes: z.record(z.string(), z.string()).optional(),
  })
  .superRefine((record, context) => {
    const start = parseInstant(record.start);
    const end = record.end === undefined ? null : parseInstant(record.end);
    if (start !== null && end !== null && end < start) {
      context.addIssue({ code: 'custom', path: ['end'], message: 'end is before start' });
    }
  });

/** Maps one CSV row (column name to cell text) to the record shape; empty cells are absent. */
export function recordFromColumns(row: Readonly<Record<string, string>>): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  const attributes: Record<string, string> = {};
  for (const [column, cell] of Object.entries(row)) {
    const value = cell.trim();
    if (value === '') continue;
    if (STRING_FIELD_SET.has(column)) record[column] = value;
    else if (!(PRERATED_COLUMNS as readonly string[]).includes(column)) attributes[column] = value;
  }
  const amount = row.amount?.trim();
  if (amount) {
    const tier = row.tier?.trim();
    record.prerated = {
      amount,
      schema: row.ratingSchema?.trim() || 'EXTERNAL',
      ...(tier ? { tier: /^\d+$/.test(tier) ? Number.parseInt(tier, 10) : tier } : {}),
    };
  }
  if (Object.keys(attributes).length > 0) record.attributes = attributes;
  return record;
}

/**
 * Maps one JSON object to the record shape: known fields as they are, `attributes` merged with any
 * other top-level key. An integer durationSeconds is accepted as a JSON number; quantities and amounts
 * must be strings.
 */
export function recordFromJson(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const record: Record<string, unknown> = {};
  const attributes: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (key === 'attributes' && typeof field === 'object' && field !== null) Object.assign(attributes, field);
    else if (key === 'prerated') record.prerated = field;
    else if (STRING_FIELD_SET.has(key)) record[key] = key === 'durationSeconds' && Number.isSafeInteger(field) ? String(field) : field;
    else attributes[key] = typeof field === 'boolean' || Number.isSafeInteger(field) ? String(field) : field;
  }
  if (Object.keys(attributes).length > 0) record.attributes = attributes;
  return record;
}

/**
 * Validates mapped records; throws ValidationError listing every bad field as `$[index].field`.
 */
export function parseUsageRecords(rows: readonly unknown[]): UsageRecord[] {
  const records: UsageRecord[] = [];
  const issues: Array<{ path: string; message: string }> = [];
  rows.forEach((row, index) => {
    const parsed = usageRecordSchema.safeParse(row);
    if (parsed.success) records.push(parsed.data);
    else for (const issue of parsed.error.issues) issues.push({ path: `$[${index}]${issue.path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`)).join('')}`, message: issue.message });
  });
  if (issues.length > 0) throw new ValidationError(`invalid usage records: ${issues.length} problem(s)`, issues);
  return records;
}
