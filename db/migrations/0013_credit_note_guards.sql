-- A final credit note's statement never changes (MF003), as an invoice's does not (0008_billing_guards.sql):
-- the same statement-level guard on credit_note_items, whose invoice_id names the credit note.
CREATE TRIGGER credit_note_items_insert_guard AFTER INSERT ON credit_note_items
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION invoice_parts_refuse_final();
--> statement-breakpoint
CREATE TRIGGER credit_note_items_update_guard AFTER UPDATE ON credit_note_items
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION invoice_parts_refuse_final();
--> statement-breakpoint
CREATE TRIGGER credit_note_items_delete_guard AFTER DELETE ON credit_note_items
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION invoice_parts_refuse_final();
