import { afterEach, describe, expect, it } from 'vitest';
import { insertPostings } from '../../db/queries/ledger';
import { aRecordCharge, aUniqueAccount, expectLedgerBalanced } from '../fixtures/ledger';
import { useIntegration } from '../helpers/integration';

// The database itself keeps the ledger append-only and balanced, whatever code or SQL writes to it.

const ctx = useIntegration({ worker: false });

afterEach(async () => {
  await expectLedgerBalanced(ctx.database.sql);
});

async function aPosting() {
  const account = aUniqueAccount();
  const intended = aRecordCharge(`${account}-r1`, account, '10.00');
  const posting = { ...intended, key: intended.entry, kind: 'original' as const, revision: 0, reverses: null };
  await insertPostings(ctx.database.sql, [posting]);
  return posting;
}

describe('ledger guards in the database', () => {
  it.each([
    ['update a line', (key: string) => ctx.database.sql`update ledger_lines set amount = 11 where posting_key = ${key}`],
    ['delete a line', (key: string) => ctx.database.sql`delete from ledger_lines where posting_key = ${key}`],
    ['update a posting', (key: string) => ctx.database.sql`update ledger_postings set currency = 'USD' where key = ${key}`],
    ['delete a posting', (key: string) => ctx.database.sql`delete from ledger_postings where key = ${key}`],
    ['truncate the lines', () => ctx.database.sql`truncate ledger_lines`],
  ])('refuses to %s (MF001) and keeps the posting', async (_what, change) => {
    const posting = await aPosting();
    await expect(change(posting.key)).rejects.toMatchObject({ code: 'MF001' });
    const [row] = await ctx.database.sql`select l.amount::text, p.currency from ledger_lines l join ledger_postings p on p.key = l.posting_key where p.key = ${posting.key} and l.line_no = 1`;
    expect(row).toEqual({ amount: '10.00', currency: 'EUR' });
  });

  it('refuses at commit a posting whose debits differ from its credits (MF002), and nothing of it stays', async () => {
    const key = `raw-${aUniqueAccount()}`;
    await expect(ctx.database.sql.begin(async (tx) => {
      await tx`insert into ledger_postings (key, entry, kind, revision, currency, effective_at, line_count) values (${key}, ${key}, 'original', 0, 'EUR', now(), 2)`;
      await tx`insert into ledger_lines values (${key}, 1, 'unbilled', 'a', 'debit', 10.00), (${key}, 2, 'revenue', 'a', 'credit', 9.99)`;
    })).rejects.toMatchObject({ code: 'MF002' });
    expect(await ctx.database.sql`select 1 from ledger_postings where key = ${key}`).toHaveLength(0);
  });

  it('refuses a posting without its lines, lines appended to a posting later (even balanced ones) and lines of no posting', async () => {
    const key = `raw-${aUniqueAccount()}`;
    await expect(ctx.database.sql`insert into ledger_postings (key, entry, kind, revision, currency, effective_at, line_count) values (${key}, ${key}, 'original', 0, 'EUR', now(), 2)`)
      .rejects.toMatchObject({ code: 'MF002' });
    const posting = await aPosting();
    await expect(ctx.database.sql`insert into ledger_lines values (${posting.key}, 3, 'cash', 'a', 'debit', 1), (${posting.key}, 4, 'revenue', 'a', 'credit', 1)`)
      .rejects.toMatchObject({ code: 'MF002' });
    const orphan = `raw-${aUniqueAccount()}`;
    await expect(ctx.database.sql`insert into ledger_lines values (${orphan}, 1, 'cash', 'a', 'debit', 1), (${orphan}, 2, 'revenue', 'a', 'credit', 1)`)
      .rejects.toMatchObject({ code: 'MF002' });
    expect(await ctx.database.sql`select 1 from ledger_lines where posting_key = ${orphan}`).toHaveLength(0);
  });

  it('adds up a posting whose lines come in several statements of its transaction; one line more than declared is refused', async () => {
    const [split, extra] = [`raw-${aUniqueAccount()}`, `raw-${aUniqueAccount()}`];
    await ctx.database.sql.begin(async (tx) => {
      await tx`insert into ledger_postings (key, entry, kind, revision, currency, effective_at, line_count) values (${split}, ${split}, 'original', 0, 'EUR', now(), 2)`;
      await tx`insert into ledger_lines values (${split}, 1, 'unbilled', 'a', 'debit', 10.00)`;
      await tx`insert into ledger_lines values (${split}, 2, 'revenue', 'a', 'credit', 10.00)`;
    });
    expect(await ctx.database.sql`select 1 from ledger_lines where posting_key = ${split}`).toHaveLength(2);
    await expect(ctx.database.sql.begin(async (tx) => {
      await tx`insert into ledger_postings (key, entry, kind, revision, currency, effective_at, line_count) values (${extra}, ${extra}, 'original', 0, 'EUR', now(), 2)`;
      await tx`insert into ledger_lines values (${extra}, 1, 'unbilled', 'a', 'debit', 10.00), (${extra}, 2, 'revenue', 'a', 'credit', 5.00), (${extra}, 3, 'revenue', 'a', 'credit', 5.00)`;
    })).rejects.toMatchObject({ code: 'MF002' });
    expect(await ctx.database.sql`select 1 from ledger_postings where key = ${extra}`).toHaveLength(0);
  });

  it('inserting the same posting again changes nothing (on conflict do nothing)', async () => {
    const posting = await aPosting();
    expect(await insertPostings(ctx.database.sql, [posting])).toEqual([]);
    expect(await ctx.database.sql`select 1 from ledger_lines where posting_key = ${posting.key}`).toHaveLength(2);
  });
});
