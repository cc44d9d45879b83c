CREATE TABLE "credit_note_items" (
	"posting_key" text PRIMARY KEY NOT NULL,
	"invoice_id" text NOT NULL,
	"line_id" text NOT NULL,
	"record_id" text,
	"posting_kind" text NOT NULL,
	"effective_at" timestamp with time zone NOT NULL,
	"quantity" numeric NOT NULL,
	"unit" text NOT NULL,
	"amount" numeric NOT NULL
);
--> statement-breakpoint
ALTER TABLE "wallets" ADD COLUMN "notify_email" text;--> statement-breakpoint
ALTER TABLE "billing_runs" ADD COLUMN "run_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "credit_note_items" ADD CONSTRAINT "credit_note_items_invoice_id_invoices_id_fk" FOREIGN KEY ("invoice_id") REFERENCES "public"."invoices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "credit_note_items_invoice_idx" ON "credit_note_items" USING btree ("invoice_id","line_id");--> statement-breakpoint
CREATE INDEX "mail_outbox_unsent_idx" ON "mail_outbox" USING btree ("kind","created_at") WHERE "mail_outbox"."sent_at" is null;