// The canonical usage record that mediation produces from a raw row, and the names a feed definition
// may map to. It is the rating engine's UsageRecord plus the service identifier the gates need, so a
// mediated record is handed to rating without copying.
import type { UsageRecord } from '../rating/index';

/** A raw row as read from a file: field name to value (cells of a CSV row, keys of a JSON line). */
export type RawRow = Readonly<Record<string, unknown>>;

export interface CanonicalRecord extends UsageRecord {
  /** The identifier the carrier sent (phone number, extension, account code, meter id...). */
  serviceIdentifier: string;
  /** What kind of identifier it is (MSISDN, EXTENSION, ACCOUNT_CODE...); identifiers match on type and value. */
  serviceIdentifierType: string;
}

/** Canonical fields a mapping may fill (besides `attributes.<name>`). All values are strings. */
export const CANONICAL_FIELDS = [
  'id', 'serviceIdentifier', 'serviceIdentifierType', 'start', 'end', 'durationSeconds', 'quantity', 'unit',
  'usageType', 'product', 'origin', 'destination', 'device', 'usageMethod', 'sourceCategory',
  'destinationCategory', 'recordType', 'account', 'subscription',
] as const;
export type CanonicalField = (typeof CANONICAL_FIELDS)[number];

/** Fields every feed must map (SPEC §5 item 1), plus one of `end`, `durationSeconds`, `quantity`. */
export const REQUIRED_FIELDS = ['serviceIdentifier', 'serviceIdentifierType', 'start', 'usageType'] as const;
export const MEASURE_FIELDS = ['end', 'durationSeconds', 'quantity'] as const;

/** Fields read as ISO instants and as non-negative decimals; mapping normalises both. */
export const INSTANT_FIELDS: ReadonlySet<string> = new Set(['start', 'end']);
export const DECIMAL_FIELDS: ReadonlySet<string> = new Set(['durationSeconds', 'quantity']);

/** Fields a predicate, a duplicate key or an ownership rule may read: canonical ones, `category`, `attributes.<name>`. */
export type RecordFieldName = CanonicalField | 'category' | `attributes.${string}`;

const CANONICAL_SET: ReadonlySet<string> = new Set([...CANONICAL_FIELDS, 'category']);

export function isRecordFieldName(name: string): name is RecordFieldName {
  return CANONICAL_SET.has(name) || (name.startsWith('attributes.') && name.length > 'attributes.'.length);
}

/** A compiled reader of one record field (no string parsing per record). */
export type FieldReader = (record: CanonicalRecord) => string | undefined;

export function fieldReader(name: RecordFieldName): FieldReader {
  if (name.startsWith('attributes.')) {
    const key = name.slice('attributes.'.length);
    return (record) => record.attributes?.[key];
  }
  const key = name as keyof CanonicalRecord;
  return (record) => {
    const value = record[key];
    return typeof value === 'string' ? value : undefined;
  };
}
