import type postgres from 'postgres';
import type { AccountKind, Posting, PostingAttributes, PostingKind, Side } from '../../domain/ledger';
import { copyLines, copyText } from '../copy';

// The ledger in Postgres: postings and their lines, written all or nothing with `on conflict (key)
// do nothing` (a retried write is a no-op), read back as domain Postings. Writes go through
// postgres.js because bulk lines go through COPY (DESIGN "Performance").

export type SqlOrTx = postgres.Sql | postgres.TransactionSql;

/**
 * Which postings a posting job is responsible for: every entry under a prefix ("record:"), optionally
 * only those touching one owner. postingDelta reverses any entry of the scope that is not intended,
 * so a scope always names its kind of entry: a record-charge job never sees an account's wallet postings.
 */
export interface LedgerScope {
  entryPrefix: string;
  owner?: string;
}

/** Above this many lines a write streams them with COPY instead of one multi-row insert. */
const COPY_THRESHOLD_LINES = 500;

interface PostingRow {
  key: string;
  entry: string;
  kind: PostingKind;
  revision: number;
  reverses: string | null;
  currency: string;
  effective_at: string;
  attributes: PostingAttributes;
  lines: Array<{ kind: AccountKind; owner: string; side: Side; amount: string }>;
}

const likePrefix = (prefix: string) => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Every posting of a scope with its lines (in line order), oldest key first. */
export async function loadScopePostings(sql: SqlOrTx, scope: LedgerScope): Promise<Posting[]> {
  const where = scope.owner === undefined
    ? sql`p.entry like ${likePrefix(scope.entryPrefix)}`
    : sql`p.entry like ${likePrefix(scope.entryPrefix)} and p.key in (select posting_key from ledger_lines where owner = ${scope.owner})`;
  const rows = await sql<PostingRow[]>`
    select p.key, p.entry, p.kind, p.revision, p.reverses, p.currency,
      to_char(p.effective_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as effective_at, p.attributes,
      (select jsonb_agg(jsonb_build_object('kind', l.account_kind, 'owner', l.owner, 'side', l.side, 'amount', l.amount::text) order by l.line_no)
         from ledger_lines l where l.posting_key = p.key) as lines
    from ledger_postings p where ${where} order by p.key`;
  return rows.map((r) => ({
    key: r.key, entry: r.entry, kind: r.kind, revision: r.revision, reverses: r.reverses, currency: r.currency,
    effectiveAt: r.effective_at, attributes: r.attributes,
    lines: r.lines.map((l) => ({ account: { kind: l.kind, owner: l.owner }, side: l.side, amount: l.amount })),
  }));
}

/**
 * Inserts postings and their lines; a posting whose key exists is skipped with its lines. Call it
 * inside a transaction (or it opens one): the deferred guards check every posting balances at commit.
 * Returns the keys actually inserted.
 */
export async function insertPostings(sql: SqlOrTx, postings: readonly Posting[]): Promise<string[]> {
  if (postings.length === 0) return [];
  if ('begin' in sql) return sql.begin((tx) => insertPostings(tx, postings));
  const rows = postings.map((p) => ({
    key: p.key, entry: p.entry, kind: p.kind, revision: p.revision, reverses: p.reverses, currency: p.currency,
    effective_at: p.effectiveAt, attributes: p.attributes, line_count: p.lines.length,
  }));
  // One jsonb parameter (attributes are objects; drizzle's driver leaves JSON serialising to us); rows keep their order, so keys come back in it.
  const inserted = await sql<Array<{ key: string }>>`
    insert into ledger_postings (key, entry, kind, revision, reverses, currency, effective_at, attributes, line_count)
    select key, entry, kind::ledger_posting_kind, revision, reverses, currency, effective_at, attributes, line_count
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(key text, entry text, kind text, revision int, reverses text,
      currency text, effective_at timestamptz, attributes jsonb, line_count int)
    on conflict (key) do nothing returning key`;
  const insertedKeys = new Set(inserted.map((r) => r.key));
  const lines = postings
    .filter((p) => insertedKeys.has(p.key))
    .flatMap((p) => p.lines.map((l, i) => ({ posting_key: p.key, line_no: i + 1, account_kind: l.account.kind, owner: l.account.owner, side: l.side, amount: l.amount })));
  if (lines.length > COPY_THRESHOLD_LINES) {
    await copyLines(sql, 'ledger_lines', 'posting_key, line_no, account_kind, owner, side, amount', lines.map((l) =>
      `${copyText(l.posting_key)}\t${l.line_no}\t${l.account_kind}\t${copyText(l.owner)}\t${l.side}\t${l.amount}\n`));
  } else if (lines.length > 0) {
    await sql`insert into ledger_lines ${sql(lines, 'posting_key', 'line_no', 'account_kind', 'owner', 'side', 'amount')}`;
  }
  return [...insertedKeys];
}

export interface AccountBalance {
  accountKind: AccountKind;
  owner: string;
  currency: string;
  /** Net of the account, debit positive, exact. */
  balance: string;
  postings: number;
}

/** Net balance of each account (kind x owner x currency) of an owner; accounts netting to zero included. */
export async function ownerBalances(sql: SqlOrTx, owner: string): Promise<AccountBalance[]> {
  return sql<AccountBalance[]>`
    select l.account_kind as "accountKind", l.owner, p.currency,
      sum(case when l.side = 'debit' then l.amount else -l.amount end)::text as balance,
      count(distinct p.key)::int as postings
    from ledger_lines l join ledger_postings p on p.key = l.posting_key
    where l.owner = ${owner}
    group by l.account_kind, l.owner, p.currency
    order by l.account_kind, p.currency`;
}
