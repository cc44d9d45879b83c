// Ownership (SPEC §4.2, §5 items 4 and 54): who a record belongs to — a person, cost centre or
// project — by effective-dated rules on the identifier and any attributes. A separate, re-runnable
// step: the gates run it last, and it can be run again alone when the rules change. No rule: the
// record goes to the UNASSIGNED pool, never to a guessed owner.
import { z } from 'zod';
import { ValidationError } from '../errors';
import { parseInstant } from '../rating/calendar';
import { explain } from './feed-schema';
import { compilePredicate, predicateSchema, type CompiledPredicate, type PredicateEnv } from './predicates';
import type { CanonicalRecord } from './record';

export const OWNER_KINDS = ['PERSON', 'COST_CENTRE', 'PROJECT'] as const;

export const ownershipRuleSchema = z.strictObject({
  id: z.string().min(1),
  owner: z.strictObject({ kind: z.enum(OWNER_KINDS), id: z.string().min(1) }),
  /** Exact identifier value; absent matches any identifier. */
  serviceIdentifier: z.string().min(1).optional(),
  when: predicateSchema.optional(),
  /** [validFrom, validTo) on the record's start. */
  validFrom: z.iso.datetime({ offset: true }).optional(),
  validTo: z.iso.datetime({ offset: true }).optional(),
});
export type OwnershipRule = z.infer<typeof ownershipRuleSchema>;

export type Ownership =
  | { status: 'ASSIGNED'; owner: { kind: (typeof OWNER_KINDS)[number]; id: string }; ruleId: string }
  | { status: 'UNASSIGNED' };

/** Validates ownership rules; throws ValidationError with `$[i].field` paths. */
export function parseOwnershipRules(json: unknown): OwnershipRule[] {
  const parsed = z.array(ownershipRuleSchema).safeParse(json);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.flatMap((issue) => explain(issue, []));
  throw new ValidationError(`invalid ownership rules: ${issues.length} problem(s)`, issues);
}

/** Shared and frozen: most records of a file may have no owner yet. */
const UNASSIGNED: Ownership = Object.freeze({ status: 'UNASSIGNED' as const });

interface CompiledRule {
  readonly rule: OwnershipRule;
  readonly index: number;
  readonly rank: number;
  readonly fromMs: number;
  readonly toMs: number;
  readonly when: CompiledPredicate | null;
}

export interface CompiledOwnership {
  readonly byIdentifier: ReadonlyMap<string, readonly CompiledRule[]>;
  readonly general: readonly CompiledRule[];
}

/** Compiles rules once per batch. */
export function compileOwnership(rules: readonly OwnershipRule[]): CompiledOwnership {
  const byIdentifier = new Map<string, CompiledRule[]>();
  const general: CompiledRule[] = [];
  rules.forEach((rule, index) => {
    const compiled: CompiledRule = {
      rule,
      index,
      // Identifier beats attributes-only; a rule with both beats either alone.
      rank: (rule.serviceIdentifier !== undefined ? 2 : 0) + (rule.when !== undefined ? 1 : 0),
      fromMs: rule.validFrom === undefined ? Number.NEGATIVE_INFINITY : (parseInstant(rule.validFrom) ?? Number.POSITIVE_INFINITY),
      toMs: rule.validTo === undefined ? Number.POSITIVE_INFINITY : (parseInstant(rule.validTo) ?? Number.NEGATIVE_INFINITY),
      when: rule.when === undefined ? null : compilePredicate(rule.when),
    };
    if (rule.serviceIdentifier === undefined) general.push(compiled);
    else {
      const list = byIdentifier.get(rule.serviceIdentifier);
      if (list) list.push(compiled);
      else byIdentifier.set(rule.serviceIdentifier, [compiled]);
    }
  });
  return { byIdentifier, general };
}

function better(candidate: CompiledRule, best: CompiledRule | null): boolean {
  if (best === null) return true;
  if (candidate.rank !== best.rank) return candidate.rank > best.rank;
  if (candidate.fromMs !== best.fromMs) return candidate.fromMs > best.fromMs;
  return candidate.index < best.index;
}

/**
 * The owner of a record at its start: among rules in force ([validFrom, validTo)) whose identifier
 * and condition match, the most specific (identifier and condition > identifier > condition >
 * catch-all), then the latest validFrom, then the rule listed first.
 */
export function assignOwnerCompiled(compiled: CompiledOwnership, record: CanonicalRecord, env: PredicateEnv): Ownership {
  let best: CompiledRule | null = null;
  const lists = [compiled.byIdentifier.get(record.serviceIdentifier), compiled.general];
  for (const list of lists) {
    if (list === undefined) continue;
    for (const rule of list) {
      if (env.startMs < rule.fromMs || env.startMs >= rule.toMs) continue;
      if (rule.when !== null && !rule.when(record, env)) continue;
      if (better(rule, best)) best = rule;
    }
  }
  if (best === null) return UNASSIGNED;
  return { status: 'ASSIGNED', owner: { kind: best.rule.owner.kind, id: best.rule.owner.id }, ruleId: best.rule.id };
}
