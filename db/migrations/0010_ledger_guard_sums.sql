-- The ledger balance guard of 0008 checked every noted posting at commit against ledger_postings and
-- ledger_lines (two index probes per posting, about 40% of a billing batch's commit). Same
-- guarantees from the notes alone: an INSERT into ledger_postings notes what each posting declares
-- (line_count); an INSERT into ledger_lines notes, per posting, the lines it added and their debits
-- and credits. At commit, per posting, the declared count must equal the lines added and debits
-- must equal credits. Lines added to a posting of an earlier transaction have no declaration in
-- this one and are refused, as before (a posting's lines are written with it or never).
DROP TABLE ledger_unchecked;
--> statement-breakpoint
CREATE UNLOGGED TABLE ledger_unchecked (
  posting_key text NOT NULL,
  declared integer,
  lines integer NOT NULL DEFAULT 0,
  debits numeric NOT NULL DEFAULT 0,
  credits numeric NOT NULL DEFAULT 0
);
--> statement-breakpoint
CREATE OR REPLACE FUNCTION ledger_note_postings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO ledger_unchecked (posting_key, declared) SELECT key, line_count FROM new_rows;
  INSERT INTO ledger_check_marks VALUES (txid_current()) ON CONFLICT DO NOTHING;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION ledger_note_lines() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO ledger_unchecked (posting_key, lines, debits, credits)
    SELECT posting_key, count(*), coalesce(sum(amount) FILTER (WHERE side = 'debit'), 0), coalesce(sum(amount) FILTER (WHERE side = 'credit'), 0)
    FROM new_rows GROUP BY posting_key;
  INSERT INTO ledger_check_marks VALUES (txid_current()) ON CONFLICT DO NOTHING;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION ledger_check_noted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bad record;
BEGIN
  SELECT posting_key AS key, sum(declared) AS expected, sum(lines) AS found, sum(debits) AS debits, sum(credits) AS credits
    INTO bad
    FROM ledger_unchecked
    GROUP BY posting_key
    HAVING sum(declared) IS DISTINCT FROM sum(lines) OR sum(debits) <> sum(credits)
    LIMIT 1;
  IF FOUND THEN
    IF bad.expected IS DISTINCT FROM bad.found THEN
      RAISE EXCEPTION 'posting % has % lines, declared %', bad.key, bad.found, coalesce(bad.expected::text, 'none in this transaction') USING ERRCODE = 'MF002';
    END IF;
    RAISE EXCEPTION 'posting % is unbalanced: debits % <> credits %', bad.key, bad.debits, bad.credits USING ERRCODE = 'MF002';
  END IF;
  DELETE FROM ledger_unchecked;
  DELETE FROM ledger_check_marks WHERE txid = NEW.txid;
  RETURN NULL;
END;
$$;
