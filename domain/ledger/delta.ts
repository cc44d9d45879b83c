// The posting delta (DESIGN.md invariant 2): a posting job computes what *should* be posted for a
// scope and posts only the difference from what is there. Nothing is edited in place: a changed
// entry gets a reversing posting of exactly opposite value for each live posting, then a revision
// with the new lines. Posting the same scope twice posts nothing the second time.
import { DomainError } from '../errors';
import { formatPlain, ZERO } from '../money';
import { accountKey } from './accounts';
import {
  postingKey,
  signedAmount,
  validateLines,
  type IntendedEntry,
  type Posting,
  type PostingAttributes,
  type PostingLine,
} from './posting';

/** Net amount per account of some lines, as sorted "account=amount" text: equal text, equal effect. */
function netSignature(lines: readonly PostingLine[]): string {
  const totals = new Map<string, ReturnType<typeof signedAmount>>();
  for (const line of lines) {
    const key = accountKey(line.account);
    totals.set(key, (totals.get(key) ?? ZERO).plus(signedAmount(line)));
  }
  return [...totals]
    .filter(([, value]) => !value.isZero())
    .map(([key, value]) => `${key}=${formatPlain(value)}`)
    .sort()
    .join(';');
}

function attributesSignature(attributes: PostingAttributes): string {
  const entries = Object.entries(attributes).filter(([, value]) => value !== undefined);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(entries);
}

/** Whether a live posting already says what the intended entry says (lines, currency, date, facts). */
function sameEffect(posting: Posting, intended: IntendedEntry): boolean {
  return (
    posting.currency === intended.currency &&
    posting.effectiveAt === intended.effectiveAt &&
    netSignature(posting.lines) === netSignature(intended.lines) &&
    attributesSignature(posting.attributes) === attributesSignature(intended.attributes)
  );
}

/** Postings of an entry that no reversal mirrors yet: what the entry currently contributes. */
export function livePostings(postings: readonly Posting[]): Posting[] {
  const reversed = new Set(postings.filter((p) => p.kind === 'reversal').map((p) => p.reverses));
  return postings.filter((p) => p.kind !== 'reversal' && !reversed.has(p.key));
}

function reversalOf(posting: Posting, revision: number): Posting {
  return {
    key: postingKey(posting.entry, 'reversal', revision),
    entry: posting.entry,
    kind: 'reversal',
    revision,
    reverses: posting.key,
    currency: posting.currency,
    effectiveAt: posting.effectiveAt,
    lines: posting.lines.map((line) => ({ ...line, side: line.side === 'debit' ? 'credit' : 'debit' })),
    attributes: posting.attributes,
  };
}

function postingFor(intended: IntendedEntry, revision: number): Posting {
  const kind = revision === 0 ? 'original' : 'revision';
  return {
    key: postingKey(intended.entry, kind, revision),
    entry: intended.entry,
    kind,
    revision,
    reverses: null,
    currency: intended.currency,
    effectiveAt: intended.effectiveAt,
    lines: intended.lines,
    attributes: intended.attributes,
  };
}

/** The postings one entry needs so that it says `intended` (null: nothing) given what it has. */
function entryDelta(intended: IntendedEntry | null, existing: readonly Posting[]): Posting[] {
  const wanted = intended && netSignature(intended.lines) !== '' ? intended : null;
  const live = livePostings(existing);
  const [onlyLive] = live;
  if (wanted && live.length === 1 && onlyLive && sameEffect(onlyLive, wanted)) return [];
  if (!wanted && live.length === 0) return [];
  let revision = existing.reduce((max, p) => Math.max(max, p.revision), existing.length > 0 ? 0 : -1);
  const delta: Posting[] = [];
  for (const posting of live) delta.push(reversalOf(posting, ++revision));
  // A revision pairs with the reversal before it ("reversal:n" then "revision:n"); after an entry
  // was reversed to nothing, the re-post takes that reversal's number if no revision has it yet.
  const numberTaken = existing.some((p) => p.kind !== 'reversal' && p.revision === revision);
  if (wanted) delta.push(postingFor(wanted, existing.length === 0 ? 0 : live.length === 0 && numberTaken ? revision + 1 : revision));
  return delta;
}

/**
 * The new postings that make a scope say `shouldBe`, given `alreadyPosted` (every posting of the
 * scope). Entries in `alreadyPosted` but not in `shouldBe` are reversed to nothing; an entry whose
 * live posting already matches (same net lines per account, currency, effectiveAt, attributes)
 * gets nothing. Every intended entry is validated (INVALID_POSTING / UNBALANCED_POSTING); an entry
 * listed twice is refused with DUPLICATE_ENTRY. Amounts are copied exactly, never rounded.
 */
export function postingDelta(shouldBe: readonly IntendedEntry[], alreadyPosted: readonly Posting[]): Posting[] {
  const intendedByEntry = new Map<string, IntendedEntry>();
  for (const intended of shouldBe) {
    if (intendedByEntry.has(intended.entry)) {
      throw new DomainError('DUPLICATE_ENTRY', `entry ${intended.entry} is intended twice`, { entry: intended.entry });
    }
    validateLines(intended.entry, intended.lines, true);
    intendedByEntry.set(intended.entry, intended);
  }
  const postedByEntry = new Map<string, Posting[]>();
  for (const posting of alreadyPosted) {
    const group = postedByEntry.get(posting.entry);
    if (group) group.push(posting);
    else postedByEntry.set(posting.entry, [posting]);
  }
  const entries = new Set([...intendedByEntry.keys(), ...postedByEntry.keys()]);
  const delta: Posting[] = [];
  for (const entry of entries) {
    delta.push(...entryDelta(intendedByEntry.get(entry) ?? null, postedByEntry.get(entry) ?? []));
  }
  return delta;
}
