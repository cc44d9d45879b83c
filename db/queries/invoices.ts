import { createHash } from 'node:crypto';
import { creditNoteFor, finaliseDraft, DEFAULT_INVOICE_ROUNDING, type Invoice, type InvoiceLine } from '../../domain/billing';
import { DomainError } from '../../domain/errors';
import { insertPostings, type SqlOrTx } from './ledger';

// Reading invoices with their lines and itemised statement, and correcting a final invoice by a
// credit note (domain creditNoteFor: exactly opposite lines; the original never changes) whose
// statement is the credited lines' items negated (credit_note_items).

export interface InvoiceFilter { ownerPartyId: string | null; accountId?: string; runId?: string; limit: number }

const HEAD = `id, account_id as "accountId", owner_party_id as "ownerPartyId", run_id as "runId", kind, status, trigger, currency,
  subscription_id as "subscriptionId", to_char(period_start_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "periodStartAt",
  to_char(period_end_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "periodEndAt",
  to_char(cut_off_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "cutOffAt", total::text, exact_total::text as "exactTotal",
  corrects_invoice_id as "correctsInvoiceId", to_char(finalised_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "finalisedAt"`;

export type InvoiceHeadRow = Omit<Invoice, 'lines' | 'rounding' | 'postingKeys'> & { ownerPartyId: string; runId: string | null; subscriptionId: string | null; finalisedAt: string | null };

export async function listInvoices(sql: SqlOrTx, f: InvoiceFilter): Promise<InvoiceHeadRow[]> {
  return sql.unsafe<InvoiceHeadRow[]>(`select ${HEAD} from invoices
    where ($1::text is null or owner_party_id = $1) and ($2::text is null or account_id = $2) and ($3::text is null or run_id = $3)
    order by account_id, period_start_at, id limit $4`, [f.ownerPartyId, f.accountId ?? null, f.runId ?? null, f.limit]);
}

const ITEM = `line_id as "lineId", posting_key as "postingKey", record_id as "recordId", posting_kind as "postingKind",
  to_char(effective_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "effectiveAt", quantity::text, amount::text, effective_at`;

/**
 * The invoice or credit note with its lines, each with the statement items behind it (effective
 * time, then key): an invoice's postings, or the credited postings of a credit note.
 */
export async function findInvoice(sql: SqlOrTx, id: string): Promise<(InvoiceHeadRow & { lines: InvoiceLine[] }) | undefined> {
  const [head] = await sql.unsafe<InvoiceHeadRow[]>(`select ${HEAD} from invoices where id = $1`, [id]);
  if (!head) return undefined;
  const lines = await sql<Array<Omit<InvoiceLine, 'items'>>>`
    select line_id as id, service, category, item, unit, quantity::text, exact_amount::text as "exactAmount", amount::text
    from invoice_lines where invoice_id = ${id} order by line_id`;
  const items = await sql.unsafe<Array<InvoiceLine['items'][number] & { lineId: string; effective_at: string }>>(`
    select ${ITEM} from invoice_items where invoice_id = $1
    union all select ${ITEM} from credit_note_items where invoice_id = $1
    order by effective_at, "postingKey"`, [id]);
  return {
    ...head,
    lines: lines.map((line) => ({ ...line, items: items.filter((i) => i.lineId === line.id).map(({ lineId: _l, effective_at: _e, ...item }) => item) })),
  };
}

/**
 * A final credit note for lines of a final invoice (all by default), posted at once ("credit-note:{id}":
 * debit revenue, credit the customer's credit account), with the credited lines' statement items
 * negated as its statement. Its id derives from the invoice and the lines, so crediting the same lines
 * again returns the first credit note (created: false); a line credited before within another
 * selection is refused (ALREADY_CREDITED) and nothing changes.
 */
export async function issueCreditNote(
  sql: SqlOrTx, invoiceId: string, lineIds: readonly string[] | undefined, asOf: string,
): Promise<{ creditNoteId: string; created: boolean } | undefined> {
  if ('begin' in sql) return sql.begin((tx) => issueCreditNote(tx, invoiceId, lineIds, asOf));
  // One credit note of an invoice at a time, so two cannot credit the same line (credit_note_items' key backs this).
  await sql`select 1 from invoices where id = ${invoiceId} for update`;
  const found = await findInvoice(sql, invoiceId);
  if (!found) return undefined;
  const original: Invoice = { ...found, rounding: DEFAULT_INVOICE_ROUNDING, postingKeys: [] };
  const id = `CN-${createHash('sha256').update(`${invoiceId}|${[...(lineIds ?? [])].sort().join('|')}`).digest('hex').slice(0, 16).toUpperCase()}`;
  const { invoice: note, postings } = finaliseDraft(creditNoteFor(original, id, lineIds));
  const inserted = await sql`
    insert into invoices (id, account_id, owner_party_id, run_id, kind, status, trigger, currency, subscription_id, period_start_at, period_end_at,
      cut_off_at, total, exact_total, corrects_invoice_id, finalised_at)
    values (${note.id}, ${note.accountId}, ${found.ownerPartyId}, null, 'credit_note', 'draft', 'correction', ${note.currency}, ${found.subscriptionId},
      ${note.periodStartAt}, ${note.periodEndAt}, ${note.cutOffAt}, ${note.total}, ${note.exactTotal}, ${invoiceId}, ${asOf})
    on conflict (id) do nothing returning id`;
  if (inserted.length === 0) return { creditNoteId: id, created: false };
  const credited = note.lines.map((l) => l.id);
  const before = await sql<Array<{ lineId: string; creditNoteId: string }>>`
    select distinct i.line_id as "lineId", c.invoice_id as "creditNoteId" from invoice_items i join credit_note_items c on c.posting_key = i.posting_key
    where i.invoice_id = ${invoiceId} and i.line_id = any(${credited}) order by 1, 2`;
  if (before.length > 0) {
    throw new DomainError('ALREADY_CREDITED', `invoice ${invoiceId}: ${before.map((b) => `line ${b.lineId} was credited by ${b.creditNoteId}`).join('; ')}`,
      { invoiceId, credited: before });
  }
  const lines = note.lines.map((l) => ({ invoice_id: id, line_id: l.id, service: l.service, category: l.category, item: l.item, unit: l.unit, quantity: l.quantity, exact_amount: l.exactAmount, amount: l.amount }));
  await sql`insert into invoice_lines ${sql(lines)}`;
  await sql`
    insert into credit_note_items (posting_key, invoice_id, line_id, record_id, posting_kind, effective_at, quantity, unit, amount)
    select posting_key, ${id}, line_id, record_id, posting_kind, effective_at, -quantity, unit, -amount
    from invoice_items where invoice_id = ${invoiceId} and line_id = any(${credited})`;
  await sql`update invoices set status = 'final' where id = ${id}`;
  await insertPostings(sql, postings);
  return { creditNoteId: id, created: true };
}
