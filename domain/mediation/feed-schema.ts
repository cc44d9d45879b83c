// The feed definition: how one supplier's usage file becomes canonical records. Plain JSON,
// versioned, validated completely by `parseFeedDefinition` (every problem with its JSON path), so a
// feed is configuration, never code (SPEC §5 item 1).
import { z } from 'zod';
import { ValidationError } from '../errors';
import { predicateSchema } from './predicates';
import { CANONICAL_FIELDS, isRecordFieldName, MEASURE_FIELDS, REQUIRED_FIELDS, type RecordFieldName } from './record';
import { transformProblem, transformSchema } from './transforms';

export const FEED_SCHEMA_VERSION = 1;
export const BUILT_IN_CATEGORIES = ['TELEPHONY', 'DATA', 'MISC'] as const;

const singleChar = z.string().length(1, 'expected exactly one character');

export const formatSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('delimited'),
    delimiter: singleChar.default(','),
    /** Quote character; null for none (every quote is data). A doubled quote inside quotes is one quote. */
    quote: singleChar.nullable().default('"'),
    /** true: the first non-blank line names the columns; false: `columns` does. */
    header: z.boolean(),
    columns: z.array(z.string().min(1)).min(1).optional(),
    /** Lines skipped before anything else (banners). */
    skipLines: z.number().int().min(0).default(0),
  }),
  z.strictObject({ kind: z.literal('jsonLines') }),
  z.strictObject({
    kind: z.literal('fixedWidth'),
    /** `start` is 1-based; cells are trimmed of spaces. */
    columns: z.array(z.strictObject({ name: z.string().min(1), start: z.number().int().min(1), length: z.number().int().min(1) })).min(1),
    skipLines: z.number().int().min(0).default(0),
  }),
]);

const partSchema = z.union([
  z.strictObject({ from: z.string().min(1), transforms: z.array(transformSchema).optional() }),
  z.strictObject({ constant: z.string() }),
]);

/**
 * Where one canonical value comes from: raw field(s) (`from`; a list takes the first non-empty),
 * a constant, or a concatenation; then transforms in order; `default` when the source is empty.
 */
export const valueSpecSchema = z.union([
  z.strictObject({ from: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]), transforms: z.array(transformSchema).optional(), default: z.string().optional() }),
  z.strictObject({ constant: z.string() }),
  z.strictObject({ concat: z.array(partSchema).min(2), separator: z.string().default(''), transforms: z.array(transformSchema).optional() }),
]);
export type ValueSpec = z.input<typeof valueSpecSchema>;

const mappingShape = Object.fromEntries(CANONICAL_FIELDS.map((field) => [field, valueSpecSchema.optional()])) as Record<
  (typeof CANONICAL_FIELDS)[number],
  z.ZodOptional<typeof valueSpecSchema>
>;
export const mappingSchema = z.strictObject({ ...mappingShape, attributes: z.record(z.string().min(1), valueSpecSchema).optional() });

const code = z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'codes are UPPER_SNAKE_CASE');
const recordField = z.string().refine(isRecordFieldName, 'expected a canonical field, "category" or "attributes.<name>"');

export const feedDefinitionSchema = z
  .strictObject({
    schemaVersion: z.literal(FEED_SCHEMA_VERSION),
    id: z.string().min(1),
    version: z.number().int().min(1),
    name: z.string().optional(),
    description: z.string().optional(),
    format: formatSchema,
    mapping: mappingSchema,
    categories: z.strictObject({
      /** Categories besides TELEPHONY, DATA, MISC. */
      extra: z.array(code).default([]),
      rules: z.array(z.strictObject({ category: code, when: predicateSchema })).default([]),
      default: code,
    }),
    duplicateKey: z.array(recordField).min(1),
    errorRules: z.array(z.strictObject({ code, action: z.enum(['quarantine', 'flag']), when: predicateSchema, message: z.string().optional() })).default([]),
  })
  .superRefine(checkFeed);

export type FeedDefinitionInput = z.input<typeof feedDefinitionSchema>;
export type FeedDefinition = z.output<typeof feedDefinitionSchema>;
export type FeedFormat = FeedDefinition['format'];
export type ErrorRule = FeedDefinition['errorRules'][number];

type Ctx = z.core.$RefinementCtx<FeedDefinition>;

function checkFeed(feed: FeedDefinition, context: Ctx): void {
  for (const field of REQUIRED_FIELDS) {
    if (feed.mapping[field] === undefined) context.addIssue({ code: 'custom', path: ['mapping', field], message: `required canonical field ${field} is not mapped` });
  }
  if (MEASURE_FIELDS.every((field) => feed.mapping[field] === undefined)) {
    context.addIssue({ code: 'custom', path: ['mapping', 'durationSeconds'], message: 'map at least one of end, durationSeconds, quantity' });
  }
  if (feed.format.kind === 'delimited' && !feed.format.header && feed.format.columns === undefined) {
    context.addIssue({ code: 'custom', path: ['format', 'columns'], message: 'a delimited format without a header row must name its columns' });
  }
  if (feed.format.kind === 'delimited' && feed.format.quote === feed.format.delimiter) {
    context.addIssue({ code: 'custom', path: ['format', 'quote'], message: 'quote and delimiter must differ' });
  }
  const known = new Set<string>([...BUILT_IN_CATEGORIES, ...feed.categories.extra]);
  feed.categories.rules.forEach((rule, index) => {
    if (!known.has(rule.category)) context.addIssue({ code: 'custom', path: ['categories', 'rules', index, 'category'], message: `unknown category ${rule.category}` });
  });
  if (!known.has(feed.categories.default)) context.addIssue({ code: 'custom', path: ['categories', 'default'], message: `unknown category ${feed.categories.default}` });
  checkTransforms(feed, context);
}

function checkTransforms(feed: FeedDefinition, context: Ctx): void {
  const specs: Array<[Array<string | number>, z.output<typeof valueSpecSchema>]> = [];
  for (const [field, spec] of Object.entries(feed.mapping)) {
    if (field === 'attributes' || spec === undefined) continue;
    specs.push([['mapping', field], spec as z.output<typeof valueSpecSchema>]);
  }
  for (const [name, spec] of Object.entries(feed.mapping.attributes ?? {})) specs.push([['mapping', 'attributes', name], spec]);
  for (const [path, spec] of specs) {
    const lists: Array<[Array<string | number>, readonly z.output<typeof transformSchema>[]]> = [];
    if ('transforms' in spec && spec.transforms) lists.push([[...path, 'transforms'], spec.transforms]);
    if ('concat' in spec) spec.concat.forEach((part, i) => { if ('transforms' in part && part.transforms) lists.push([[...path, 'concat', i, 'transforms'], part.transforms]); });
    for (const [listPath, transforms] of lists) {
      transforms.forEach((transform, index) => {
        const problem = transformProblem(transform);
        if (problem !== null) context.addIssue({ code: 'custom', path: [...listPath, index], message: problem });
      });
    }
  }
}

/** `$.mapping.start.transforms[0].format` from a zod path. */
export function jsonPath(path: ReadonlyArray<PropertyKey>): string {
  return `$${path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`)).join('')}`;
}

/**
 * Validates a feed definition completely; throws ValidationError with one issue per problem, each
 * with its JSON path (`$.mapping.serviceIdentifier`). Returns the definition with defaults filled in.
 */
export function parseFeedDefinition(json: unknown): FeedDefinition {
  const parsed = feedDefinitionSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.flatMap((issue) => explain(issue, []));
  throw new ValidationError(`invalid feed definition: ${issues.length} problem(s)`, issues);
}

type Issue = z.core.$ZodIssue;

/**
 * Issues with JSON paths. A failed union (value specs, predicates) says only "Invalid input"; we
 * report the branch that got furthest instead (its deepest issue), which names the real problem.
 */
export function explain(issue: Issue, prefix: ReadonlyArray<PropertyKey>): Array<{ path: string; message: string }> {
  const path = [...prefix, ...issue.path];
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const depth = (branch: readonly Issue[]) => Math.max(...branch.map((inner) => inner.path.length + (inner.code === 'unrecognized_keys' ? -1 : 0)));
    const best = issue.errors.reduce((a, b) => (depth(b) > depth(a) ? b : a));
    if (depth(best) > 0) return best.flatMap((inner) => explain(inner, path));
  }
  return [{ path: jsonPath(path), message: issue.message }];
}

export type { RecordFieldName };
