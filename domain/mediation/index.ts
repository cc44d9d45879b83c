// Mediation, the pure layer: feed definitions, raw text -> raw rows -> canonical records, the gates
// (categorise, check, identify, bucket, rate, deduplicate, assignOwner), ownership, and the
// quarantine state machine. No I/O and no clock: `processedAt` and `asOf` come in with the context.
import type { FeedDefinition } from './feed-schema';
import { compileFeed, mapCompiled, type CompiledFeed, type MapOutcome } from './mapper';
import type { RawRow } from './record';

const compiledFeeds = new WeakMap<FeedDefinition, CompiledFeed>();

/** The compiled form of a parsed feed, memoised per definition object (pass the same object for a file). */
export function compiledFeedFor(feed: FeedDefinition): CompiledFeed {
  let compiled = compiledFeeds.get(feed);
  if (compiled === undefined) {
    compiled = compileFeed(feed);
    compiledFeeds.set(feed, compiled);
  }
  return compiled;
}

/**
 * Maps one raw row to a canonical record with a parsed feed definition (see map-row.ts for units and
 * normalisation); `recordId` is the caller's row reference when the feed maps no id. Never mutates `raw`.
 */
export function mapRawRecord(raw: RawRow, feed: FeedDefinition, options: { recordId?: string } = {}): MapOutcome {
  return mapCompiled(raw, compiledFeedFor(feed), options.recordId);
}

export { parseFeedDefinition, feedDefinitionSchema, FEED_SCHEMA_VERSION, BUILT_IN_CATEGORIES } from './feed-schema';
export type { FeedDefinition, FeedDefinitionInput, FeedFormat, ErrorRule, ValueSpec } from './feed-schema';
export { compileFeed, type CompiledFeed, type MapOutcome, type MapError } from './mapper';
export { mapCompiled } from './map-row';
export { CANONICAL_FIELDS, REQUIRED_FIELDS, type CanonicalRecord, type RawRow, type CanonicalField, type RecordFieldName } from './record';
export { predicateSchema, type Predicate } from './predicates';
export { transformSchema, type Transform } from './transforms';
export { createRawRowParser, parseRawRows, type ParsedRow, type RawRowParser } from './raw-rows';
export type { MediationContext, ServiceSnapshot, ServiceIdentifierSnapshot, SubscriptionSnapshot, BillingPeriodSnapshot, RatingInputs } from './context';
export { createMediator, mediateBatch, proposeCandidate } from './mediate';
export type { Mediator } from './gates';
export type { Candidate, CandidateProblem } from './identify';
export { PHASES, GATE_REASONS, insufficientFunds, type MediationResult, type PhaseTrace, type PhaseName, type GateReason, type AcceptedKeys } from './result';
export { assignOwner } from './assign-owner';
export { ownershipRuleSchema, parseOwnershipRules, OWNER_KINDS, type OwnershipRule, type Ownership } from './ownership';
export {
  QUARANTINE_STATUSES, quarantineActions, quarantineTransition, allowedQuarantineActions, cleanseSelection, TERMINAL_QUARANTINE_STATUSES,
  type QuarantineStatus, type QuarantineAction, type QuarantineEntry,
} from './quarantine';
export { ASTERISK_CDR_CSV, FREESWITCH_CDR_CSV, GENERIC_METERING_JSONL, GENERIC_METERING_CSV, BUILT_IN_FEEDS } from './builtin-feeds';
export { unreadableResult } from './unreadable';
