-- The foreign key from ledger_lines to ledger_postings repeats what the balance guard of 0010 checks at
-- commit (every line belongs to a posting inserted in its transaction; postings are never deleted).
ALTER TABLE "ledger_lines" DROP CONSTRAINT "ledger_lines_posting_key_ledger_postings_key_fk";
