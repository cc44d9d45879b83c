// Raw row -> canonical record. A feed definition compiles once into a mapper (field readers and
// transform closures in a flat list); mapping a row then walks the list. The raw row is only read,
// never changed: the caller stores it as it came (SPEC §5 item 2).
import type { FeedDefinition, ValueSpec } from './feed-schema';
import { CANONICAL_FIELDS, DECIMAL_FIELDS, INSTANT_FIELDS, REQUIRED_FIELDS, type CanonicalRecord, type RawRow } from './record';
import { compileTransform, type CompiledTransform, type ParsedTransform, type TransformFailure } from './transforms';

export interface MapError {
  /** Canonical field (`start`, `attributes.disposition`). */
  field: string;
  /** MISSING_FIELD, INVALID_DATE, INVALID_DECIMAL, INVALID_VALUE, NO_MATCH, LOOKUP_MISS, END_BEFORE_START. */
  code: string;
  message: string;
}

export type MapOutcome = { ok: true; record: CanonicalRecord } | { ok: false; errors: MapError[] };

type ValueFn = (raw: RawRow) => string | undefined | TransformFailure;
interface FieldPlan {
  readonly field: string;
  /** The attribute name for `attributes.<name>`, else null. */
  readonly attribute: string | null;
  readonly read: ValueFn;
  readonly kind: 'instant' | 'decimal' | 'text';
  /** The spec's last step already produced a canonical instant. */
  readonly canonical: boolean;
  readonly required: boolean;
}

const NOT_SCALAR: TransformFailure = Object.freeze({ failed: true as const, code: 'INVALID_VALUE', message: 'expected a string, number or boolean' });

/** A raw value as text: strings as they are, finite numbers and booleans written out, "" / null / absent as undefined. */
function rawText(value: unknown): string | undefined | TransformFailure {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (value === undefined || value === null) return undefined;
  if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean') return String(value);
  return NOT_SCALAR;
}

function rawReader(name: string): (raw: RawRow) => unknown {
  if (!name.includes('.')) return (raw) => raw[name];
  const path = name.split('.');
  return (raw) => {
    if (name in raw) return raw[name];
    let value: unknown = raw;
    for (const key of path) {
      if (typeof value !== 'object' || value === null) return undefined;
      value = (value as Record<string, unknown>)[key];
    }
    return value;
  };
}

function applyAll(value: string, transforms: readonly CompiledTransform[]): string | TransformFailure {
  let current: string | TransformFailure = value;
  for (let i = 0; i < transforms.length; i++) {
    current = transforms[i]!(current as string);
    if (typeof current !== 'string') return current;
  }
  return current;
}

function compileFrom(from: string | readonly string[], transforms: readonly CompiledTransform[], fallback: string | undefined): ValueFn {
  const readers = (typeof from === 'string' ? [from] : from).map(rawReader);
  return (raw) => {
    let text: string | undefined | TransformFailure;
    for (let i = 0; i < readers.length && text === undefined; i++) text = rawText(readers[i]!(raw));
    if (text === undefined) return fallback;
    if (typeof text !== 'string') return text;
    return transforms.length === 0 ? text : applyAll(text, transforms);
  };
}

function compileSpec(spec: ValueSpec): ValueFn {
  const transforms = ('transforms' in spec ? (spec.transforms ?? []) : []).map((t) => compileTransform(t as ParsedTransform));
  if ('constant' in spec) {
    const constant = spec.constant === '' ? undefined : spec.constant;
    return () => constant;
  }
  if ('from' in spec) return compileFrom(spec.from, transforms, spec.default);
  const parts = spec.concat.map((part) => compileSpec(part));
  const separator = spec.separator ?? '';
  return (raw) => {
    let text = '';
    for (let i = 0; i < parts.length; i++) {
      const value = parts[i]!(raw);
      if (value !== undefined && typeof value !== 'string') return value;
      text += i === 0 ? (value ?? '') : separator + (value ?? '');
    }
    return transforms.length === 0 ? text : applyAll(text, transforms);
  };
}

function endsWithDateParse(spec: ValueSpec): boolean {
  const transforms = 'transforms' in spec ? spec.transforms : undefined;
  return transforms !== undefined && transforms.length > 0 && transforms[transforms.length - 1]!.op === 'parseDateTime';
}

export interface CompiledFeed {
  readonly feed: FeedDefinition;
  readonly plans: readonly FieldPlan[];
}

/** Compiles a parsed feed definition's mapping once; reuse the result for every row of a file. */
export function compileFeed(feed: FeedDefinition): CompiledFeed {
  const required: ReadonlySet<string> = new Set(REQUIRED_FIELDS);
  const plans: FieldPlan[] = [];
  for (const field of CANONICAL_FIELDS) {
    const spec = feed.mapping[field];
    if (spec === undefined) continue;
    const kind = INSTANT_FIELDS.has(field) ? 'instant' : DECIMAL_FIELDS.has(field) ? 'decimal' : 'text';
    plans.push({ field, attribute: null, read: compileSpec(spec), kind, canonical: endsWithDateParse(spec), required: required.has(field) });
  }
  for (const [name, spec] of Object.entries(feed.mapping.attributes ?? {})) {
    plans.push({ field: `attributes.${name}`, attribute: name, read: compileSpec(spec), kind: 'text', canonical: false, required: false });
  }
  return { feed, plans };
}

export { mapCompiled } from './map-row';
