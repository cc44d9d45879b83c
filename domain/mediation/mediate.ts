// Running the gates over one record (see gates.ts for the pieces). The order is fixed:
// categorise -> check -> identify -> bucket -> rate -> deduplicate -> assignOwner.
import { DomainError } from '../errors';
import { parseInstant } from '../rating/calendar';
import { recordDurationMs } from '../rating/records';
import { bucketRecord } from './bucket';
import { compileContext, type CompiledContext, type CompiledPeriod, type MediationContext, type ServiceSnapshot } from './context';
import type { FeedDefinition } from './feed-schema';
import { categorise, checkRules, compileRules, duplicateKeyOf, emptyResult, quarantine, RatingCache, TraceEntries, type CompiledRules, type Mediator } from './gates';
import { identifyService, outsideServicePeriod, proposeCandidateCompiled, type Candidate } from './identify';
import { assignOwnerCompiled, compileOwnership, type CompiledOwnership } from './ownership';
import type { PredicateEnv } from './predicates';
import type { CanonicalRecord } from './record';
import type { AcceptedKeys, MediationResult, PhaseTrace } from './result';

/** The predicate environment, reused record after record by one mediator (mediation is synchronous). */
class RecordEnv implements PredicateEnv {
  startMs = 0;
  durationMs: number | null = null;
  category: string | undefined = undefined;
  constructor(readonly processedAtMs: number, private readonly context: CompiledContext) {}
  outsideServiceActivePeriod(record: CanonicalRecord): boolean {
    return outsideServicePeriod(this.context, record, this.startMs);
  }
}

const serviceDetail = (service: ServiceSnapshot): string => service.id;
const periodDetail = (period: CompiledPeriod): string => `${period.period.startAt}/${period.period.endAt}`;

interface Compiled {
  readonly context: CompiledContext;
  readonly rules: CompiledRules;
  readonly ownership: CompiledOwnership;
  readonly rating: RatingCache | null;
  readonly entries: TraceEntries;
  readonly env: RecordEnv;
}

function mediateOne(compiled: Compiled, record: CanonicalRecord, acceptedKeys: AcceptedKeys): MediationResult {
  const { context, rules, entries, env } = compiled;
  const startMs = parseInstant(record.start);
  const key = duplicateKeyOf(rules.keyReaders, record);
  const trace: PhaseTrace[] = [];
  if (startMs === null) return quarantine(emptyResult(record, trace, rules.defaultCategory, key), entries, 'categorise', 'INVALID_RECORD', `start is not an ISO 8601 instant: ${record.start}`);
  const measured = recordDurationMs(record, startMs);
  env.startMs = startMs;
  env.durationMs = typeof measured === 'number' ? measured : null;
  env.category = undefined;
  const category = categorise(rules, record, env);
  env.category = category;
  const result = emptyResult(record, trace, category, key);
  trace.push(entries.passedWithCode('categorise', category));
  const failedRule = checkRules(rules, record, env, result.flags);
  if (failedRule !== null) return quarantine(result, entries, 'check', failedRule.code, failedRule.message ?? `custom error rule ${failedRule.code}`);
  trace.push(result.flags.length > 0 ? entries.own('check', 'flagged', result.flags.join(',')) : entries.shared('check', 'passed'));
  const identified = identifyService(context, record, category, startMs);
  if (!identified.ok) {
    if (identified.reason === 'UNIDENTIFIED') result.candidate = proposeCandidateCompiled(context, record, category, startMs);
    return quarantine(result, entries, 'identify', identified.reason, identified.message);
  }
  const service = identified.service;
  result.serviceId = service.id;
  trace.push(entries.passedWithDetail('identify', service, serviceDetail));
  const bucketed = bucketRecord(context, service, startMs, record.start);
  if (!bucketed.ok) return quarantine(result, entries, 'bucket', bucketed.reason, bucketed.message);
  const { subscription, period } = bucketed;
  result.subscriptionId = subscription.id;
  result.accountId = subscription.accountId;
  result.period = period.range;
  trace.push(entries.passedWithDetail('bucket', period, periodDetail));
  if (compiled.rating === null) trace.push(entries.shared('rate', 'skipped'));
  else {
    // Our own copy for the engine: the caller's record is never changed.
    const rated = compiled.rating.rate({ ...record, category, subscription: subscription.id, account: subscription.accountId }, subscription);
    if (!rated.ok) return quarantine(result, entries, 'rate', rated.reason, rated.message);
    result.rating = rated.rating;
    trace.push(entries.passedWithCode('rate', rated.rating.status));
  }
  if (acceptedKeys.has(key)) return quarantine(result, entries, 'deduplicate', 'DUPLICATE', 'a record with the same duplicate key was already accepted');
  trace.push(entries.shared('deduplicate', 'passed'));
  result.ownership = assignOwnerCompiled(compiled.ownership, record, env);
  trace.push(entries.passedWithCode('assignOwner', result.ownership.status));
  return result;
}

/**
 * Compiles a feed's rules and a context snapshot once, for a batch of records. Throws DomainError
 * INVALID_CONTEXT when the snapshot has an unreadable instant. Results share frozen trace entries.
 */
export function createMediator(feed: FeedDefinition, context: MediationContext): Mediator {
  const compiledContext = compileContext(context);
  const compiled: Compiled = {
    context: compiledContext,
    rules: compileRules(feed),
    ownership: compileOwnership(context.ownershipRules ?? []),
    rating: context.rating === undefined ? null : new RatingCache(context.rating),
    entries: new TraceEntries(context.processedAt),
    env: new RecordEnv(compiledContext.processedAtMs, compiledContext),
  };
  return { context: compiledContext, mediate: (record, acceptedKeys) => mediateOne(compiled, record, acceptedKeys) };
}

/**
 * Runs the gates over records in order; a COMPLETED record's key joins the accepted keys, so a
 * second copy in the same batch is DUPLICATE. `acceptedKeys` (keys from earlier batches) is not changed.
 */
export function mediateBatch(feed: FeedDefinition, context: MediationContext, records: readonly CanonicalRecord[], acceptedKeys: Iterable<string> = []): MediationResult[] {
  const mediator = createMediator(feed, context);
  const accepted = new Set(acceptedKeys);
  return records.map((record) => {
    const result = mediator.mediate(record, accepted);
    if (result.status === 'COMPLETED') accepted.add(result.duplicateKey);
    return result;
  });
}

/**
 * The likely service for an UNIDENTIFIED record (SPEC §5 item 10): same identifier value, failed
 * for one reason; null when no service has the identifier. `category` is the record's category.
 */
export function proposeCandidate(record: CanonicalRecord, category: string, context: MediationContext | CompiledContext): Candidate | null {
  const compiled = 'byIdentifier' in context ? context : compileContext(context);
  const startMs = parseInstant(record.start);
  if (startMs === null) throw new DomainError('INVALID_RECORD', `start is not an ISO 8601 instant: ${record.start}`);
  return proposeCandidateCompiled(compiled, record, category, startMs);
}
