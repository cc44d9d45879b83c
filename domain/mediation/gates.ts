// Pieces of the mediation gates, which mediate.ts runs in order: categorise -> check (custom error
// rules) -> identify -> bucket -> rate -> deduplicate -> assignOwner. Pure: the record, a compiled
// context snapshot and the keys already accepted in, a result out; the clock is `processedAt`.
import { rateRecord, resolveRatingPlans, type RatingContext, type RatingResult } from '../rating/index';
import type { CompiledContext, MediationContext, SubscriptionSnapshot } from './context';
import type { ErrorRule, FeedDefinition } from './feed-schema';
import { compilePredicate, type CompiledPredicate, type PredicateEnv } from './predicates';
import { fieldReader, type CanonicalRecord, type FieldReader } from './record';
import type { AcceptedKeys, MediationResult, PhaseName, PhaseTrace } from './result';

const KEY_SEPARATOR = '\u001f';

interface CompiledRules {
  readonly categories: ReadonlyArray<{ readonly category: string; readonly when: CompiledPredicate }>;
  readonly defaultCategory: string;
  readonly errorRules: ReadonlyArray<{ readonly rule: ErrorRule; readonly when: CompiledPredicate }>;
  readonly keyReaders: readonly FieldReader[];
}

export interface Mediator {
  readonly context: CompiledContext;
  /** Runs every gate over one record; never throws for bad data. */
  mediate(record: CanonicalRecord, acceptedKeys: AcceptedKeys): MediationResult;
}

function compileRules(feed: FeedDefinition): CompiledRules {
  return {
    categories: feed.categories.rules.map((rule) => ({ category: rule.category, when: compilePredicate(rule.when) })),
    defaultCategory: feed.categories.default,
    errorRules: feed.errorRules.map((rule) => ({ rule, when: compilePredicate(rule.when) })),
    keyReaders: feed.duplicateKey.map(fieldReader),
  };
}

/** The feed's duplicate key of a record: the key fields' values joined by U+001F ("" for absent). */
export function duplicateKeyOf(readers: readonly FieldReader[], record: CanonicalRecord): string {
  let key = readers[0]?.(record) ?? '';
  for (let i = 1; i < readers.length; i++) key += KEY_SEPARATOR + (readers[i]!(record) ?? '');
  return key;
}

/**
 * Trace entries for one mediator (one processedAt). Entries that repeat on every passing record are
 * built once, frozen and shared, so a million clean records do not allocate seven million objects;
 * failures and flags get their own.
 */
class TraceEntries {
  private readonly plain = new Map<PhaseName, Map<PhaseTrace['outcome'], PhaseTrace>>();
  private readonly byCode = new Map<PhaseName, Map<string, PhaseTrace>>();
  private readonly byDetail = new Map<unknown, PhaseTrace>();
  constructor(readonly at: string) {}

  /** A shared entry with no code or detail. */
  shared(phase: PhaseName, outcome: PhaseTrace['outcome']): PhaseTrace {
    let forPhase = this.plain.get(phase);
    if (forPhase === undefined) this.plain.set(phase, (forPhase = new Map()));
    let entry = forPhase.get(outcome);
    if (entry === undefined) forPhase.set(outcome, (entry = Object.freeze({ phase, at: this.at, outcome })));
    return entry;
  }

  /** A shared passed entry carrying a code (category, ownership status). */
  passedWithCode(phase: PhaseName, code: string): PhaseTrace {
    let forPhase = this.byCode.get(phase);
    if (forPhase === undefined) this.byCode.set(phase, (forPhase = new Map()));
    let entry = forPhase.get(code);
    if (entry === undefined) forPhase.set(code, (entry = Object.freeze({ phase, at: this.at, outcome: 'passed' as const, code })));
    return entry;
  }

  /** A shared passed entry whose detail is derived from `owner` (a service, a period), computed once per owner. */
  passedWithDetail<T extends object>(phase: PhaseName, owner: T, detail: (owner: T) => string): PhaseTrace {
    let entry = this.byDetail.get(owner);
    if (entry === undefined) this.byDetail.set(owner, (entry = Object.freeze({ phase, at: this.at, outcome: 'passed' as const, detail: detail(owner) })));
    return entry;
  }

  own(phase: PhaseName, outcome: PhaseTrace['outcome'], code: string, detail?: string): PhaseTrace {
    return detail === undefined ? { phase, at: this.at, outcome, code } : { phase, at: this.at, outcome, code, detail };
  }
}

function categorise(rules: CompiledRules, record: CanonicalRecord, env: PredicateEnv): string {
  for (const rule of rules.categories) if (rule.when(record, env)) return rule.category;
  return rules.defaultCategory;
}

/** The first quarantine rule that matches, and every flag rule before it; rules run in order. */
function checkRules(rules: CompiledRules, record: CanonicalRecord, env: PredicateEnv, flags: string[]): ErrorRule | null {
  for (const { rule, when } of rules.errorRules) {
    if (!when(record, env)) continue;
    if (rule.action === 'quarantine') return rule;
    flags.push(rule.code);
  }
  return null;
}

type RateStep = { ok: true; rating: Exclude<RatingResult, { status: 'failed' }> } | { ok: false; reason: string; message: string };

class RatingCache {
  private readonly contexts = new Map<string, RatingContext>();
  constructor(private readonly inputs: NonNullable<MediationContext['rating']>) {}

  rate(record: CanonicalRecord, subscription: SubscriptionSnapshot): RateStep {
    const target = { subscriptionId: subscription.id, accountId: subscription.accountId, customerGroupIds: subscription.customerGroupIds ?? [] };
    const chain = resolveRatingPlans(this.inputs.assignments, this.inputs.planVersions, target, record.start);
    if (!chain.ok) return { ok: false, reason: chain.reason, message: chain.message };
    // One context object per subscription and chain, so the engine compiles it once (it memoises per object).
    let key = subscription.id;
    for (const plan of chain.plans) key += `\u0000${plan.id}@${plan.version}`;
    let context = this.contexts.get(key);
    if (context === undefined) {
      context = { plans: chain.plans, overrides: subscription.overrides ?? [], asOf: this.inputs.asOf, timeZone: subscription.timeZone };
      this.contexts.set(key, context);
    }
    const result = rateRecord(record, context);
    if (result.status === 'failed') return { ok: false, reason: result.reason, message: result.message };
    return { ok: true, rating: result };
  }
}

function emptyResult(record: CanonicalRecord, trace: PhaseTrace[], category: string, key: string): MediationResult {
  return {
    recordId: record.id, status: 'COMPLETED', reason: null, message: null, flags: [], category,
    serviceId: null, subscriptionId: null, accountId: null, period: null, rating: null,
    duplicateKey: key, ownership: null, candidate: null, trace,
  };
}

function quarantine(result: MediationResult, entries: TraceEntries, phase: PhaseName, reason: string, message: string): MediationResult {
  result.trace.push(entries.own(phase, 'failed', reason, message));
  result.status = 'QUARANTINED';
  result.reason = reason;
  result.message = message;
  return result;
}

export { TraceEntries, RatingCache, categorise, checkRules, compileRules, emptyResult, quarantine, type CompiledRules, type RateStep };
