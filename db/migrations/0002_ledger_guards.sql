-- The ledger is append-only and every posting balances, enforced by the database itself (DESIGN.md
-- invariant 2), so no code path, script or hand-typed SQL can edit history or post half an entry.
-- SQLSTATEs: MF001 = change of posted history refused, MF002 = unbalanced or incomplete posting.

CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the ledger is append-only: % on % is refused; post a reversal instead', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'MF001';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER ledger_postings_append_only BEFORE UPDATE OR DELETE ON ledger_postings
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
--> statement-breakpoint
CREATE TRIGGER ledger_postings_no_truncate BEFORE TRUNCATE ON ledger_postings
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
--> statement-breakpoint
CREATE TRIGGER ledger_lines_append_only BEFORE UPDATE OR DELETE ON ledger_lines
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
--> statement-breakpoint
CREATE TRIGGER ledger_lines_no_truncate BEFORE TRUNCATE ON ledger_lines
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
--> statement-breakpoint
-- At commit: the posting has exactly line_count lines and its debits equal its credits. Checking the
-- count means lines cannot be appended to a posting in a later transaction, even balanced ones.
CREATE FUNCTION ledger_check_posting() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  posting text := to_jsonb(NEW) ->> TG_ARGV[0];
  expected integer;
  found integer;
  debits numeric;
  credits numeric;
BEGIN
  SELECT line_count INTO expected FROM ledger_postings WHERE key = posting;
  SELECT count(*), coalesce(sum(amount) FILTER (WHERE side = 'debit'), 0), coalesce(sum(amount) FILTER (WHERE side = 'credit'), 0)
    INTO found, debits, credits FROM ledger_lines WHERE posting_key = posting;
  IF found IS DISTINCT FROM expected THEN
    RAISE EXCEPTION 'posting % has % lines, declared %', posting, found, expected USING ERRCODE = 'MF002';
  END IF;
  IF debits <> credits THEN
    RAISE EXCEPTION 'posting % is unbalanced: debits % <> credits %', posting, debits, credits USING ERRCODE = 'MF002';
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER ledger_postings_balanced AFTER INSERT ON ledger_postings
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_posting('key');
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER ledger_lines_balanced AFTER INSERT ON ledger_lines
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_posting('posting_key');
