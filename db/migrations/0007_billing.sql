CREATE TYPE "public"."rating_state" AS ENUM('PENDING', 'COMPLETED');--> statement-breakpoint
CREATE TYPE "public"."billing_run_phase" AS ENUM('selecting', 'drafting', 'awaiting_approval', 'finalising', 'completed');--> statement-breakpoint
CREATE TYPE "public"."invoice_kind" AS ENUM('invoice', 'credit_note');--> statement-breakpoint
CREATE TYPE "public"."invoice_status" AS ENUM('draft', 'final');--> statement-breakpoint
CREATE TYPE "public"."invoice_trigger" AS ENUM('cycle', 'threshold', 'correction');--> statement-breakpoint
CREATE TYPE "public"."billing_run_account_status" AS ENUM('pending', 'drafted', 'empty', 'failed', 'parked', 'finalised');--> statement-breakpoint
CREATE TABLE "billable_record_events" (
	"record_id" text NOT NULL,
	"seq" integer NOT NULL,
	"action" text NOT NULL,
	"actor" text NOT NULL,
	"before" jsonb NOT NULL,
	"after" jsonb NOT NULL,
	"posting_keys" text[] NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "billable_record_events_record_id_seq_pk" PRIMARY KEY("record_id","seq")
);
--> statement-breakpoint
CREATE TABLE "billing_run_accounts" (
	"run_id" text NOT NULL,
	"account_id" text NOT NULL,
	"batch_no" integer NOT NULL,
	"status" "billing_run_account_status" DEFAULT 'pending' NOT NULL,
	"period_start_at" timestamp with time zone,
	"period_end_at" timestamp with time zone,
	"invoice_id" text,
	"failure_reason" text,
	"parked_reasons" jsonb,
	"attempts" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "billing_run_accounts_run_id_account_id_pk" PRIMARY KEY("run_id","account_id")
);
--> statement-breakpoint
CREATE TABLE "billing_runs" (
	"id" text PRIMARY KEY NOT NULL,
	"owner_party_id" text NOT NULL,
	"run_date" text NOT NULL,
	"phase" "billing_run_phase" DEFAULT 'selecting' NOT NULL,
	"grace_seconds" integer NOT NULL,
	"notify_email" text,
	"started_by" text NOT NULL,
	"approved_by" text,
	"approved_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "invoice_items" (
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
CREATE TABLE "invoice_lines" (
	"invoice_id" text NOT NULL,
	"line_id" text NOT NULL,
	"service" text NOT NULL,
	"category" text NOT NULL,
	"item" text NOT NULL,
	"unit" text NOT NULL,
	"quantity" numeric NOT NULL,
	"exact_amount" numeric NOT NULL,
	"amount" numeric NOT NULL,
	CONSTRAINT "invoice_lines_invoice_id_line_id_pk" PRIMARY KEY("invoice_id","line_id")
);
--> statement-breakpoint
CREATE TABLE "invoices" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"owner_party_id" text NOT NULL,
	"run_id" text,
	"kind" "invoice_kind" NOT NULL,
	"status" "invoice_status" DEFAULT 'draft' NOT NULL,
	"trigger" "invoice_trigger" NOT NULL,
	"currency" text NOT NULL,
	"subscription_id" text,
	"period_start_at" timestamp with time zone NOT NULL,
	"period_end_at" timestamp with time zone NOT NULL,
	"cut_off_at" timestamp with time zone NOT NULL,
	"total" numeric DEFAULT '0' NOT NULL,
	"exact_total" numeric DEFAULT '0' NOT NULL,
	"corrects_invoice_id" text,
	"finalised_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "billable_records" ADD COLUMN "rating_state" "rating_state" DEFAULT 'COMPLETED' NOT NULL;--> statement-breakpoint
ALTER TABLE "billing_run_accounts" ADD CONSTRAINT "billing_run_accounts_run_id_billing_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."billing_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billing_runs" ADD CONSTRAINT "billing_runs_owner_party_id_parties_id_fk" FOREIGN KEY ("owner_party_id") REFERENCES "public"."parties"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoice_items" ADD CONSTRAINT "invoice_items_invoice_id_invoices_id_fk" FOREIGN KEY ("invoice_id") REFERENCES "public"."invoices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoice_lines" ADD CONSTRAINT "invoice_lines_invoice_id_invoices_id_fk" FOREIGN KEY ("invoice_id") REFERENCES "public"."invoices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "billing_run_accounts_batch_idx" ON "billing_run_accounts" USING btree ("run_id","batch_no");--> statement-breakpoint
CREATE INDEX "invoice_items_invoice_idx" ON "invoice_items" USING btree ("invoice_id","line_id");--> statement-breakpoint
CREATE UNIQUE INDEX "invoices_cycle_period_key" ON "invoices" USING btree ("account_id","period_start_at") WHERE "invoices"."trigger" = 'cycle';--> statement-breakpoint
CREATE INDEX "invoices_account_idx" ON "invoices" USING btree ("account_id");--> statement-breakpoint
CREATE INDEX "invoices_run_idx" ON "invoices" USING btree ("run_id");