-- 1. The ledger balance guard (MF002 of 0002_ledger_guards.sql) made set-based. The per-row deferred
-- constraint triggers ran two queries per inserted posting and per line, which dominated a billing
-- run of millions of lines. Same guarantees: statement-level triggers note the keys an INSERT
-- touched (transition tables) and mark the transaction; one deferred constraint trigger per
-- transaction checks, at commit, every noted posting in one grouped query: it has exactly
-- line_count lines and its debits equal its credits. The notes are deleted by the check, so none
-- ever commits (and other transactions never see them).
DROP TRIGGER ledger_postings_balanced ON ledger_postings;
--> statement-breakpoint
DROP TRIGGER ledger_lines_balanced ON ledger_lines;
--> statement-breakpoint
DROP FUNCTION ledger_check_posting();
--> statement-breakpoint
CREATE UNLOGGED TABLE ledger_unchecked (posting_key text NOT NULL);
--> statement-breakpoint
CREATE UNLOGGED TABLE ledger_check_marks (txid bigint PRIMARY KEY);
--> statement-breakpoint
CREATE FUNCTION ledger_note_postings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO ledger_unchecked SELECT key FROM new_rows;
  INSERT INTO ledger_check_marks VALUES (txid_current()) ON CONFLICT DO NOTHING;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE FUNCTION ledger_note_lines() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO ledger_unchecked SELECT DISTINCT posting_key FROM new_rows;
  INSERT INTO ledger_check_marks VALUES (txid_current()) ON CONFLICT DO NOTHING;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE FUNCTION ledger_check_noted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bad record;
BEGIN
  SELECT k.key, p.line_count AS expected, count(l.posting_key) AS found,
         coalesce(sum(l.amount) FILTER (WHERE l.side = 'debit'), 0) AS debits,
         coalesce(sum(l.amount) FILTER (WHERE l.side = 'credit'), 0) AS credits
    INTO bad
    FROM (SELECT DISTINCT posting_key AS key FROM ledger_unchecked) k
    LEFT JOIN ledger_postings p ON p.key = k.key
    LEFT JOIN ledger_lines l ON l.posting_key = k.key
    GROUP BY k.key, p.line_count
    HAVING p.line_count IS DISTINCT FROM count(l.posting_key)
        OR coalesce(sum(l.amount) FILTER (WHERE l.side = 'debit'), 0) <> coalesce(sum(l.amount) FILTER (WHERE l.side = 'credit'), 0)
    LIMIT 1;
  IF FOUND THEN
    IF bad.expected IS DISTINCT FROM bad.found THEN
      RAISE EXCEPTION 'posting % has % lines, declared %', bad.key, bad.found, bad.expected USING ERRCODE = 'MF002';
    END IF;
    RAISE EXCEPTION 'posting % is unbalanced: debits % <> credits %', bad.key, bad.debits, bad.credits USING ERRCODE = 'MF002';
  END IF;
  DELETE FROM ledger_unchecked;
  DELETE FROM ledger_check_marks WHERE txid = NEW.txid;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER ledger_postings_noted AFTER INSERT ON ledger_postings
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ledger_note_postings();
--> statement-breakpoint
CREATE TRIGGER ledger_lines_noted AFTER INSERT ON ledger_lines
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ledger_note_lines();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER ledger_balanced_at_commit AFTER INSERT ON ledger_check_marks
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_noted();
--> statement-breakpoint
-- 2. Final invoices never change (MF003): not the invoice, not its lines, not its statement items.
-- A draft may be rebuilt; corrections of a final invoice are credit notes.
CREATE FUNCTION invoice_refuse_final_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status = 'final' THEN
    RAISE EXCEPTION 'invoice % is final: % refused; correct it with a credit note', OLD.id, TG_OP USING ERRCODE = 'MF003';
  END IF;
  RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER invoices_final_immutable BEFORE UPDATE OR DELETE ON invoices
  FOR EACH ROW EXECUTE FUNCTION invoice_refuse_final_change();
--> statement-breakpoint
CREATE FUNCTION invoice_parts_refuse_final() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  final_id text;
BEGIN
  -- The distinct invoice ids first, then one index probe each: cheap whatever the planner knows.
  IF TG_OP = 'INSERT' THEN
    SELECT i.id INTO final_id FROM invoices i WHERE i.id = ANY (ARRAY(SELECT DISTINCT invoice_id FROM new_rows)) AND i.status = 'final' LIMIT 1;
  ELSE
    SELECT i.id INTO final_id FROM invoices i WHERE i.id = ANY (ARRAY(SELECT DISTINCT invoice_id FROM old_rows)) AND i.status = 'final' LIMIT 1;
  END IF;
  IF final_id IS NOT NULL THEN
    RAISE EXCEPTION 'invoice % is final: % on % refused; correct it with a credit note', final_id, TG_OP, TG_TABLE_NAME USING ERRCODE = 'MF003';
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER invoice_lines_insert_guard AFTER INSERT ON invoice_lines
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION invoice_parts_refuse_final();
--> statement-breakpoint
CREATE TRIGGER invoice_lines_update_guard AFTER UPDATE ON invoice_lines
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION invoice_parts_refuse_final();
--> statement-breakpoint
CREATE TRIGGER invoice_lines_delete_guard AFTER DELETE ON invoice_lines
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION invoice_parts_refuse_final();
--> statement-breakpoint
CREATE TRIGGER invoice_items_insert_guard AFTER INSERT ON invoice_items
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION invoice_parts_refuse_final();
--> statement-breakpoint
CREATE TRIGGER invoice_items_update_guard AFTER UPDATE ON invoice_items
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION invoice_parts_refuse_final();
--> statement-breakpoint
CREATE TRIGGER invoice_items_delete_guard AFTER DELETE ON invoice_items
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION invoice_parts_refuse_final();
