import { z } from 'zod';
import { ValidationError } from '../errors';
import { ITEM_PRECISIONS, USAGE_SCHEMAS, type ItemPrecision, type UsageSchema } from './columns';

// What a row is validated against: the product's schema and capabilities, the file's period, the
// upload instant (passed in: the workflow owns time), and the product's items and assets. It is
// parsed once per file and indexed, so validating a row costs a few map lookups.

export interface ProductItem {
  readonly id: string;
  readonly mpn: string;
  readonly globalId?: string | null;
  readonly precision: ItemPrecision;
  /** `ppu` or `reservation` (SPEC §1.1). */
  readonly type: string;
}

export interface ProductAsset {
  readonly id: string;
  /** Parameter id → value, for `parameter.{param_id}` searches. Only own keys are consulted. */
  readonly params: Readonly<Record<string, string>>;
  readonly reconId?: string | null;
}

export interface ValidationContext {
  readonly schema: UsageSchema;
  readonly capabilities: { readonly dynamic: boolean; readonly future: boolean; readonly late: boolean };
  /** File period, ISO 8601 UTC instants; both ends inclusive. */
  readonly period: { readonly from: string; readonly to: string };
  /** When the file was uploaded, ISO 8601 UTC; ends after it are future charges. */
  readonly uploadedAt: string;
  readonly items: readonly ProductItem[];
  readonly assets: readonly ProductAsset[];
  /** category_id values of the file's categories sheet. */
  readonly categoryIds: ReadonlySet<string>;
}

const isoInstant = z.iso.datetime({ offset: false });

const contextSchema = z.object({
  schema: z.enum(USAGE_SCHEMAS),
  capabilities: z.object({ dynamic: z.boolean(), future: z.boolean(), late: z.boolean() }),
  period: z
    .object({ from: isoInstant, to: isoInstant })
    .refine((p) => Date.parse(p.from) <= Date.parse(p.to), 'period.from must not be after period.to'),
  uploadedAt: isoInstant,
  items: z.array(
    z.object({
      id: z.string().min(1),
      mpn: z.string(),
      globalId: z.string().nullish(),
      precision: z.enum(ITEM_PRECISIONS),
      type: z.string(),
    }),
  ),
  assets: z.array(
    z.object({
      id: z.string().min(1),
      // Checked but not copied: a copy made by assignment could turn a `__proto__` key into a prototype.
      params: z.custom<Readonly<Record<string, string>>>(
        (v) => typeof v === 'object' && v !== null && Object.values(v).every((x) => typeof x === 'string'),
        'params must map parameter ids to strings',
      ),
      reconId: z.string().nullish(),
    }),
  ),
  categoryIds: z.custom<ReadonlySet<string>>((v) => v instanceof Set, 'categoryIds must be a Set'),
});

/** The context with its lookups built: every index maps a search value to all matches. */
export interface PreparedContext {
  readonly schema: UsageSchema;
  readonly capabilities: ValidationContext['capabilities'];
  readonly periodFromMs: number;
  readonly periodToMs: number;
  readonly uploadedAtMs: number;
  readonly itemsByCriterion: ReadonlyMap<string, ReadonlyMap<string, readonly ProductItem[]>>;
  readonly assetsById: ReadonlyMap<string, readonly ProductAsset[]>;
  readonly assetsByReconId: ReadonlyMap<string, readonly ProductAsset[]>;
  /** Parameter id → value → assets, built on first use of that parameter. */
  assetsByParameter(paramId: string): ReadonlyMap<string, readonly ProductAsset[]>;
  readonly categoryIds: ReadonlySet<string>;
}

/** Checks the context (a bad one is a programming error: ValidationError) and indexes it. */
export function prepareContext(context: ValidationContext): PreparedContext {
  const parsed = contextSchema.safeParse(context);
  if (!parsed.success) {
    throw new ValidationError(
      'Invalid usage-file validation context',
      parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  }
  const parameterIndexes = new Map<string, ReadonlyMap<string, readonly ProductAsset[]>>();
  return {
    schema: context.schema,
    capabilities: context.capabilities,
    periodFromMs: Date.parse(context.period.from),
    periodToMs: Date.parse(context.period.to),
    uploadedAtMs: Date.parse(context.uploadedAt),
    itemsByCriterion: new Map([
      ['item.mpn', indexBy(context.items, (i) => i.mpn)],
      ['item.global_id', indexBy(context.items, (i) => i.globalId)],
      ['item.id', indexBy(context.items, (i) => i.id)],
    ]),
    assetsById: indexBy(context.assets, (a) => a.id),
    assetsByReconId: indexBy(context.assets, (a) => a.reconId),
    assetsByParameter(paramId) {
      let index = parameterIndexes.get(paramId);
      if (!index) {
        index = indexBy(context.assets, (a) => (Object.hasOwn(a.params, paramId) ? a.params[paramId] : undefined));
        parameterIndexes.set(paramId, index);
      }
      return index;
    },
    categoryIds: context.categoryIds,
  };
}

function indexBy<T>(values: readonly T[], keyOf: (v: T) => string | null | undefined): Map<string, T[]> {
  const index = new Map<string, T[]>();
  for (const value of values) {
    const key = keyOf(value);
    if (key === null || key === undefined || key === '') continue;
    const bucket = index.get(key);
    if (bucket) bucket.push(value);
    else index.set(key, [value]);
  }
  return index;
}
