// Invoices from the ledger: the unbilled postings of one customer account up to a cut-off become
// lines grouped by service, category and item, each with the statement of every posting (record)
// behind it. A draft can be rebuilt or dropped; a final invoice never changes, it is corrected only
// by a credit note. Finalising posts "invoice:{id}": unbilled -> receivable, rounding difference aside.
import { DomainError } from '../errors';
import { entryKeys, postingDelta, signedAmount, signedLine, type IntendedEntry, type Posting, type PostingLine } from '../ledger';
import { ZERO, formatPlain, money, type Money } from '../money';
import { parseInstant } from '../rating/calendar';
import { DEFAULT_INVOICE_ROUNDING, formatInvoiceAmount, roundInvoiceAmount, type InvoiceRounding } from './rounding';

export type InvoiceKind = 'invoice' | 'credit_note';
export type InvoiceStatus = 'draft' | 'final';
/** cycle: the account's billing run for its period; threshold: early billing (SPEC §2.5). */
export type InvoiceTrigger = 'cycle' | 'threshold' | 'correction';

/** One posting behind an invoice line: the itemised statement. */
export interface StatementItem {
  readonly postingKey: string;
  readonly recordId: string | null;
  readonly postingKind: Posting['kind'];
  readonly effectiveAt: string;
  /** Reversals count their quantity negative. */
  readonly quantity: string;
  /** Exact, unrounded contribution (positive = charge). */
  readonly amount: string;
}

export interface InvoiceLine {
  /** "service|category|item", stable across rebuilds. */
  readonly id: string;
  readonly service: string;
  readonly category: string;
  readonly item: string;
  readonly unit: string;
  readonly quantity: string;
  /** Exact sum of the statement items. */
  readonly exactAmount: string;
  /** exactAmount rounded once by roundInvoiceAmount, with exactly `decimals` places. */
  readonly amount: string;
  readonly items: readonly StatementItem[];
}

export interface Invoice {
  readonly id: string;
  readonly accountId: string;
  readonly currency: string;
  readonly kind: InvoiceKind;
  readonly status: InvoiceStatus;
  readonly trigger: InvoiceTrigger;
  readonly periodStartAt: string;
  readonly periodEndAt: string;
  readonly cutOffAt: string;
  readonly rounding: InvoiceRounding;
  readonly lines: readonly InvoiceLine[];
  /** Sum of the rounded line amounts (not rounded again). */
  readonly total: string;
  /** Sum of the exact line amounts; total - exactTotal is the rounding difference. */
  readonly exactTotal: string;
  readonly postingKeys: readonly string[];
  /** For a credit note correcting a final invoice. */
  readonly correctsInvoiceId: string | null;
}

export interface BuildInvoiceInput {
  readonly invoiceId: string;
  readonly accountId: string;
  readonly currency: string;
  readonly trigger: InvoiceTrigger;
  readonly periodStartAt: string;
  readonly periodEndAt: string;
  /** Postings whose effectiveAt is strictly before the cut-off are billed. */
  readonly cutOffAt: string;
  /** The account's postings (others are ignored). */
  readonly postings: readonly Posting[];
  /** Keys of postings already on an invoice (draft or final). */
  readonly billedPostingKeys: readonly string[];
  readonly rounding?: InvoiceRounding;
}

function instantMs(value: string, what: string): number {
  const ms = parseInstant(value);
  if (ms === null) throw new DomainError('INVALID_INSTANT', `${what} is not an ISO instant: ${value}`, { value });
  return ms;
}

/** Net contribution of a posting to the account's unbilled balance (debit positive). */
function unbilledContribution(posting: Posting, accountId: string): Money {
  let total = ZERO;
  for (const line of posting.lines) {
    if (line.account.kind === 'unbilled' && line.account.owner === accountId) total = total.plus(signedAmount(line));
  }
  return total;
}

/** A posting a new invoice takes, with its exact contribution to unbilled (positive = charge). */
export interface Billable {
  readonly posting: Posting;
  readonly amount: Money;
}

/** The postings a new invoice takes: unbilled, this account and currency, before the cut-off, not invoiced yet. */
export function unbilledPostings(input: BuildInvoiceInput): Billable[] {
  const cutOffMs = instantMs(input.cutOffAt, 'cutOffAt');
  const billed = new Set(input.billedPostingKeys);
  const result: Billable[] = [];
  for (const posting of input.postings) {
    // Invoice postings move money out of unbilled; they are never billed themselves.
    if (posting.attributes.invoiceId !== undefined || billed.has(posting.key)) continue;
    if (posting.currency !== input.currency) continue;
    if (instantMs(posting.effectiveAt, `effectiveAt of ${posting.key}`) >= cutOffMs) continue;
    const touchesUnbilled = posting.lines.some((l) => l.account.kind === 'unbilled' && l.account.owner === input.accountId);
    if (touchesUnbilled) result.push({ posting, amount: unbilledContribution(posting, input.accountId) });
  }
  return result;
}

function statementItem({ posting, amount }: Billable): StatementItem {
  const quantity = money(posting.attributes.quantity ?? '0');
  return {
    postingKey: posting.key,
    recordId: posting.attributes.recordId ?? null,
    postingKind: posting.kind,
    effectiveAt: posting.effectiveAt,
    quantity: formatPlain(posting.kind === 'reversal' ? quantity.negated() : quantity),
    amount: formatPlain(amount),
  };
}

function byText<T>(key: (value: T) => string): (a: T, b: T) => number {
  return (a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
}

function groupLines(billables: readonly Billable[], rounding: InvoiceRounding): InvoiceLine[] {
  const groups = new Map<string, Billable[]>();
  for (const billable of billables) {
    const { service = '', category = '', item = '' } = billable.posting.attributes;
    const id = `${service}|${category}|${item}`;
    const group = groups.get(id);
    if (group) group.push(billable);
    else groups.set(id, [billable]);
  }
  const lines: InvoiceLine[] = [];
  for (const [id, members] of groups) {
    const [service = '', category = '', item = ''] = id.split('|');
    const items = members.map(statementItem).sort(byText((s) => `${s.effectiveAt}|${s.postingKey}`));
    const exact = members.reduce((sum, m) => sum.plus(m.amount), ZERO);
    const quantity = items.reduce((sum, s) => sum.plus(money(s.quantity)), ZERO);
    lines.push({
      id, service, category, item,
      unit: members.find((m) => m.posting.attributes.unit)?.posting.attributes.unit ?? '',
      quantity: formatPlain(quantity),
      exactAmount: formatPlain(exact),
      amount: lineAmount(formatPlain(exact), rounding),
      items,
    });
  }
  return lines.sort(byText((line) => line.id));
}

/** A line's amount from its exact sum: rounded once, written with the invoice's decimals. */
export function lineAmount(exactAmount: string, rounding: InvoiceRounding = DEFAULT_INVOICE_ROUNDING): string {
  return formatInvoiceAmount(roundInvoiceAmount(money(exactAmount), rounding), rounding);
}

/** Kind and totals of a document from its lines: the total is the exact sum of the rounded lines; negative makes a credit note. */
export function invoiceTotals(
  lines: ReadonlyArray<Pick<InvoiceLine, 'amount' | 'exactAmount'>>,
  rounding: InvoiceRounding = DEFAULT_INVOICE_ROUNDING,
): Pick<Invoice, 'kind' | 'total' | 'exactTotal'> {
  const total = lines.reduce((sum, line) => sum.plus(money(line.amount)), ZERO);
  const exactTotal = lines.reduce((sum, line) => sum.plus(money(line.exactAmount)), ZERO);
  return {
    kind: total.isNegative() && !total.isZero() ? 'credit_note' : 'invoice',
    total: formatInvoiceAmount(total, rounding),
    exactTotal: formatPlain(exactTotal),
  };
}

function assemble(base: Omit<Invoice, 'kind' | 'total' | 'exactTotal'>): Invoice {
  return { ...base, ...invoiceTotals(base.lines, base.rounding) };
}

/**
 * A draft invoice (or credit note, when the total is negative) from the account's unbilled postings
 * before `cutOffAt`; null when there is nothing to bill. Line amounts are rounded once each by
 * roundInvoiceAmount (default 2 decimals, half-even); the total is their exact sum.
 */
export function buildInvoice(input: BuildInvoiceInput): Invoice | null {
  const rounding = input.rounding ?? DEFAULT_INVOICE_ROUNDING;
  const billables = unbilledPostings(input);
  if (billables.length === 0) return null;
  return assemble({
    id: input.invoiceId,
    accountId: input.accountId,
    currency: input.currency,
    status: 'draft',
    trigger: input.trigger,
    periodStartAt: input.periodStartAt,
    periodEndAt: input.periodEndAt,
    cutOffAt: input.cutOffAt,
    rounding,
    lines: groupLines(billables, rounding),
    postingKeys: billables.map((b) => b.posting.key).sort(),
    correctsInvoiceId: null,
  });
}

/** Refuses any change to a final invoice (INVOICE_FINAL): corrections are credit notes. */
export function assertDraft(invoice: Invoice): void {
  if (invoice.status !== 'draft') {
    throw new DomainError('INVOICE_FINAL', `invoice ${invoice.id} is final; correct it with a credit note`, { invoiceId: invoice.id });
  }
}

/**
 * The ledger entry a final document posts. Built from unbilled postings: credits unbilled by the
 * exact total, debits receivable (invoice) or credit (credit note) by the rounded total, and books
 * the difference on `rounding`. A credit note correcting an invoice: debits revenue, credits credit.
 */
export function invoiceEntry(invoice: Invoice): IntendedEntry {
  const owner = invoice.accountId;
  const total = money(invoice.total);
  const customerSide = { kind: invoice.kind === 'invoice' ? 'receivable' : 'credit', owner } as const;
  const legs: Array<PostingLine | null> =
    invoice.correctsInvoiceId === null
      ? [
          signedLine(customerSide, total),
          signedLine({ kind: 'unbilled', owner }, money(invoice.exactTotal).negated()),
          signedLine({ kind: 'rounding', owner }, money(invoice.exactTotal).minus(total)),
        ]
      : [signedLine(customerSide, total), signedLine({ kind: 'revenue', owner }, total.negated())];
  return {
    entry: invoice.kind === 'invoice' ? entryKeys.invoice(invoice.id) : entryKeys.creditNote(invoice.id),
    currency: invoice.currency,
    effectiveAt: invoice.cutOffAt,
    lines: legs.filter((line): line is PostingLine => line !== null),
    attributes: { invoiceId: invoice.id },
  };
}

/** The final document and its posting (none for a zero total). Finalising twice is refused (INVOICE_FINAL). */
export function finaliseDraft(invoice: Invoice): { invoice: Invoice; postings: Posting[] } {
  assertDraft(invoice);
  return { invoice: { ...invoice, status: 'final' }, postings: postingDelta([invoiceEntry(invoice)], []) };
}

/**
 * A draft credit note reversing `lineIds` (default: every line) of a final invoice, with exactly
 * opposite amounts and quantities: each line lists the original line's statement items negated, its
 * exact amount is their exact sum and its amount minus the original's rounded amount, so the credit
 * note credits to the cent what the invoice charged. The original stays as it was.
 */
export function creditNoteFor(invoice: Invoice, creditNoteId: string, lineIds?: readonly string[]): Invoice {
  if (invoice.status !== 'final') throw new DomainError('INVOICE_NOT_FINAL', `invoice ${invoice.id} is a draft; rebuild it instead`, { invoiceId: invoice.id });
  if (invoice.kind !== 'invoice') throw new DomainError('NOT_AN_INVOICE', `${invoice.id} is a credit note; only invoices are credited`, { invoiceId: invoice.id });
  const wanted = lineIds ? new Set(lineIds) : null;
  const lines = invoice.lines.filter((line) => !wanted || wanted.has(line.id));
  if (lines.length === 0) throw new DomainError('NOTHING_TO_CREDIT', `no line of invoice ${invoice.id} selected`, { invoiceId: invoice.id });
  const negate = (value: string): string => formatPlain(money(value).negated());
  return assemble({
    ...invoice,
    id: creditNoteId,
    status: 'draft',
    trigger: 'correction',
    lines: lines.map((line) => ({
      ...line,
      quantity: negate(line.quantity),
      exactAmount: negate(line.exactAmount),
      amount: formatInvoiceAmount(money(line.amount).negated(), invoice.rounding),
      items: line.items.map((item) => ({ ...item, quantity: negate(item.quantity), amount: negate(item.amount) })),
    })),
    postingKeys: [],
    correctsInvoiceId: invoice.id,
  });
}
