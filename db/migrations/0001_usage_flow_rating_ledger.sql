CREATE TYPE "public"."contract_status" AS ENUM('active', 'inactive');--> statement-breakpoint
CREATE TYPE "public"."item_precision" AS ENUM('integer', 'decimal_1', 'decimal_2', 'decimal_4', 'decimal_8');--> statement-breakpoint
CREATE TYPE "public"."item_type" AS ENUM('ppu', 'reservation');--> statement-breakpoint
CREATE TYPE "public"."usage_schema" AS ENUM('QT', 'PR', 'CR', 'TR');--> statement-breakpoint
CREATE TYPE "public"."reconciliation_status" AS ENUM('uploaded', 'processing', 'processed', 'failed');--> statement-breakpoint
CREATE TYPE "public"."upload_format" AS ENUM('csv', 'xlsx');--> statement-breakpoint
CREATE TYPE "public"."usage_record_status" AS ENUM('valid', 'invalid', 'pending', 'approved', 'rejected', 'closed');--> statement-breakpoint
CREATE TYPE "public"."plan_assignment_scope" AS ENUM('global', 'customerGroup', 'account', 'subscription');--> statement-breakpoint
CREATE TYPE "public"."what_if_status" AS ENUM('running', 'completed', 'failed');--> statement-breakpoint
CREATE TYPE "public"."ledger_account_kind" AS ENUM('unbilled', 'receivable', 'revenue', 'wallet', 'credit', 'cash', 'rounding');--> statement-breakpoint
CREATE TYPE "public"."ledger_side" AS ENUM('debit', 'credit');--> statement-breakpoint
CREATE TYPE "public"."ledger_posting_kind" AS ENUM('original', 'reversal', 'revision');--> statement-breakpoint
CREATE TYPE "public"."wallet_transaction_kind" AS ENUM('credit', 'debit', 'reimburse', 'void', 'transfer');--> statement-breakpoint
CREATE TYPE "public"."allocation_owner_kind" AS ENUM('organisation', 'department', 'costCentre', 'project', 'person');--> statement-breakpoint
CREATE TABLE "assets" (
	"id" text PRIMARY KEY NOT NULL,
	"product_id" text NOT NULL,
	"provider_id" text NOT NULL,
	"customer_id" text,
	"customer_name" text DEFAULT '' NOT NULL,
	"external_id" text,
	"params" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"recon_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "contracts" (
	"id" text PRIMARY KEY NOT NULL,
	"vendor_id" text NOT NULL,
	"provider_id" text NOT NULL,
	"name" text NOT NULL,
	"status" "contract_status" DEFAULT 'active' NOT NULL,
	"provider_email" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "items" (
	"id" text PRIMARY KEY NOT NULL,
	"product_id" text NOT NULL,
	"mpn" text NOT NULL,
	"global_id" text,
	"name" text NOT NULL,
	"unit" text NOT NULL,
	"precision" "item_precision" NOT NULL,
	"type" "item_type" NOT NULL,
	"created_by_file_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "products" (
	"id" text PRIMARY KEY NOT NULL,
	"vendor_id" text NOT NULL,
	"name" text NOT NULL,
	"schema" "usage_schema" NOT NULL,
	"dynamic_items" boolean DEFAULT false NOT NULL,
	"future_charges" boolean DEFAULT false NOT NULL,
	"late_charges" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "usage_rules" (
	"product_id" text NOT NULL,
	"provider_id" text NOT NULL,
	"auto_accept" boolean DEFAULT false NOT NULL,
	"max_total_amount" numeric,
	"max_records" integer,
	"max_age_days" integer,
	"reminder_after_days" numeric,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "usage_rules_product_id_provider_id_pk" PRIMARY KEY("product_id","provider_id")
);
--> statement-breakpoint
CREATE TABLE "mail_outbox" (
	"file_id" text NOT NULL,
	"kind" text NOT NULL,
	"seq" integer NOT NULL,
	"recipient" text NOT NULL,
	"subject" text NOT NULL,
	"body" text NOT NULL,
	"sent_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "mail_outbox_file_id_kind_seq_pk" PRIMARY KEY("file_id","kind","seq")
);
--> statement-breakpoint
CREATE TABLE "usage_file_categories" (
	"file_id" text NOT NULL,
	"upload_no" integer NOT NULL,
	"category_id" text NOT NULL,
	"name" text NOT NULL,
	"description" text NOT NULL,
	CONSTRAINT "usage_file_categories_file_id_upload_no_category_id_pk" PRIMARY KEY("file_id","upload_no","category_id")
);
--> statement-breakpoint
CREATE TABLE "usage_file_upload_chunks" (
	"file_id" text NOT NULL,
	"upload_no" integer NOT NULL,
	"chunk_no" integer NOT NULL,
	"data" "bytea" NOT NULL,
	CONSTRAINT "usage_file_upload_chunks_file_id_upload_no_chunk_no_pk" PRIMARY KEY("file_id","upload_no","chunk_no")
);
--> statement-breakpoint
CREATE TABLE "usage_file_uploads" (
	"file_id" text NOT NULL,
	"upload_no" integer NOT NULL,
	"format" "upload_format" NOT NULL,
	"size_bytes" bigint DEFAULT 0 NOT NULL,
	"completed_at" timestamp with time zone,
	"uploaded_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "usage_file_uploads_file_id_upload_no_pk" PRIMARY KEY("file_id","upload_no")
);
--> statement-breakpoint
CREATE TABLE "usage_reconciliations" (
	"id" text PRIMARY KEY NOT NULL,
	"file_id" text NOT NULL,
	"status" "reconciliation_status" DEFAULT 'uploaded' NOT NULL,
	"format" "upload_format" NOT NULL,
	"data" "bytea" NOT NULL,
	"note" text DEFAULT '' NOT NULL,
	"closed_count" integer DEFAULT 0 NOT NULL,
	"errors" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"uploaded_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"processed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "usage_record_errors" (
	"file_id" text NOT NULL,
	"upload_no" integer NOT NULL,
	"sheet" text NOT NULL,
	"row" integer NOT NULL,
	"column" text NOT NULL,
	"code" text NOT NULL,
	"message" text NOT NULL,
	CONSTRAINT "usage_record_errors_file_id_upload_no_sheet_row_column_code_pk" PRIMARY KEY("file_id","upload_no","sheet","row","column","code")
);
--> statement-breakpoint
CREATE TABLE "usage_records" (
	"file_id" text NOT NULL,
	"upload_no" integer NOT NULL,
	"row_no" integer NOT NULL,
	"record_id" text NOT NULL,
	"status" "usage_record_status" NOT NULL,
	"note" text DEFAULT '' NOT NULL,
	"item_id" text,
	"item_mpn" text,
	"item_name" text,
	"item_unit" text,
	"item_precision" text,
	"asset_id" text,
	"quantity" numeric,
	"amount" numeric,
	"start_at" timestamp with time zone,
	"end_at" timestamp with time zone,
	"tier" integer,
	"category_id" text,
	"params" jsonb,
	"external_billing_id" text,
	"external_billing_note" text,
	"closed_at" timestamp with time zone,
	"closed_by" text,
	CONSTRAINT "usage_records_file_id_upload_no_row_no_pk" PRIMARY KEY("file_id","upload_no","row_no")
);
--> statement-breakpoint
CREATE TABLE "used_links" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"file_id" text NOT NULL,
	"action" text NOT NULL,
	"recipient" text NOT NULL,
	"used_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rate_overrides" (
	"subscription_id" text NOT NULL,
	"plan_id" text NOT NULL,
	"rate_id" text NOT NULL,
	"price" numeric,
	"connect_fee" numeric,
	"minimum_charge" numeric,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "rate_overrides_subscription_id_plan_id_rate_id_pk" PRIMARY KEY("subscription_id","plan_id","rate_id")
);
--> statement-breakpoint
CREATE TABLE "rate_plan_assignments" (
	"id" serial PRIMARY KEY NOT NULL,
	"plan_id" text NOT NULL,
	"scope" "plan_assignment_scope" NOT NULL,
	"target_id" text DEFAULT '' NOT NULL,
	"valid_from" timestamp with time zone NOT NULL,
	"valid_to" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rate_plan_versions" (
	"plan_id" text NOT NULL,
	"version" integer NOT NULL,
	"name" text DEFAULT '' NOT NULL,
	"parent_plan_id" text,
	"effective_from" timestamp with time zone,
	"definition" jsonb NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"locked_at" timestamp with time zone,
	CONSTRAINT "rate_plan_versions_plan_id_version_pk" PRIMARY KEY("plan_id","version")
);
--> statement-breakpoint
CREATE TABLE "what_if_partials" (
	"run_id" text NOT NULL,
	"chunk_no" integer NOT NULL,
	"records" integer NOT NULL,
	"result" jsonb NOT NULL,
	CONSTRAINT "what_if_partials_run_id_chunk_no_pk" PRIMARY KEY("run_id","chunk_no")
);
--> statement-breakpoint
CREATE TABLE "what_if_records" (
	"run_id" text NOT NULL,
	"seq" integer NOT NULL,
	"account" text DEFAULT '' NOT NULL,
	"chunk_no" integer,
	"record" jsonb NOT NULL,
	CONSTRAINT "what_if_records_run_id_seq_pk" PRIMARY KEY("run_id","seq")
);
--> statement-breakpoint
CREATE TABLE "what_if_runs" (
	"id" text PRIMARY KEY NOT NULL,
	"owner_party_id" text NOT NULL,
	"plans" jsonb NOT NULL,
	"selection" jsonb NOT NULL,
	"time_zone" text NOT NULL,
	"as_of" timestamp with time zone NOT NULL,
	"status" "what_if_status" DEFAULT 'running' NOT NULL,
	"total_records" integer DEFAULT 0 NOT NULL,
	"result" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "ledger_lines" (
	"posting_key" text NOT NULL,
	"line_no" integer NOT NULL,
	"account_kind" "ledger_account_kind" NOT NULL,
	"owner" text NOT NULL,
	"side" "ledger_side" NOT NULL,
	"amount" numeric NOT NULL,
	CONSTRAINT "ledger_lines_posting_key_line_no_pk" PRIMARY KEY("posting_key","line_no"),
	CONSTRAINT "ledger_lines_amount_positive" CHECK ("ledger_lines"."amount" > 0)
);
--> statement-breakpoint
CREATE TABLE "ledger_postings" (
	"key" text PRIMARY KEY NOT NULL,
	"entry" text NOT NULL,
	"kind" "ledger_posting_kind" NOT NULL,
	"revision" integer NOT NULL,
	"reverses" text,
	"currency" text NOT NULL,
	"effective_at" timestamp with time zone NOT NULL,
	"attributes" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"line_count" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ledger_postings_line_count_positive" CHECK ("ledger_postings"."line_count" > 0),
	CONSTRAINT "ledger_postings_revision_non_negative" CHECK ("ledger_postings"."revision" >= 0)
);
--> statement-breakpoint
CREATE TABLE "wallet_events" (
	"id" serial PRIMARY KEY NOT NULL,
	"wallet_id" text NOT NULL,
	"transaction_id" text NOT NULL,
	"code" text NOT NULL,
	"payload" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"delivered_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "wallet_transactions" (
	"wallet_id" text NOT NULL,
	"id" text NOT NULL,
	"kind" "wallet_transaction_kind" NOT NULL,
	"amount" numeric NOT NULL,
	"balance_after" numeric NOT NULL,
	"target_transaction_id" text,
	"record_id" text,
	"posting_key" text NOT NULL,
	"seq" bigserial NOT NULL,
	"effective_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "wallet_transactions_wallet_id_id_pk" PRIMARY KEY("wallet_id","id"),
	CONSTRAINT "wallet_transactions_amount_positive" CHECK ("wallet_transactions"."amount" > 0),
	CONSTRAINT "wallet_transactions_balance_after_non_negative" CHECK ("wallet_transactions"."balance_after" >= 0)
);
--> statement-breakpoint
CREATE TABLE "wallets" (
	"id" text PRIMARY KEY NOT NULL,
	"owner_party_id" text NOT NULL,
	"account_id" text NOT NULL,
	"currency" text NOT NULL,
	"balance" numeric DEFAULT '0' NOT NULL,
	"low_balance_threshold" numeric,
	"auto_top_up" jsonb,
	"created_by" text NOT NULL,
	"creation_key" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "wallets_balance_non_negative" CHECK ("wallets"."balance" >= 0)
);
--> statement-breakpoint
CREATE TABLE "allocation_charges" (
	"party_id" text NOT NULL,
	"id" text NOT NULL,
	"period" text NOT NULL,
	"amount" numeric NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"rule_id" text NOT NULL,
	"parts" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "allocation_charges_party_id_id_pk" PRIMARY KEY("party_id","id"),
	CONSTRAINT "allocation_charges_period_format" CHECK ("allocation_charges"."period" ~ '^[0-9]{4}-(0[1-9]|1[0-2])$')
);
--> statement-breakpoint
CREATE TABLE "allocation_owners" (
	"party_id" text NOT NULL,
	"id" text NOT NULL,
	"kind" "allocation_owner_kind" NOT NULL,
	"parent_id" text,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "allocation_owners_party_id_id_pk" PRIMARY KEY("party_id","id")
);
--> statement-breakpoint
CREATE TABLE "allocation_rules" (
	"party_id" text NOT NULL,
	"id" text NOT NULL,
	"name" text NOT NULL,
	"rule" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "allocation_rules_party_id_id_pk" PRIMARY KEY("party_id","id")
);
--> statement-breakpoint
ALTER TABLE "usage_files" ADD COLUMN "product_id" text;--> statement-breakpoint
ALTER TABLE "usage_files" ADD COLUMN "contract_id" text;--> statement-breakpoint
ALTER TABLE "usage_files" ADD COLUMN "schema" "usage_schema";--> statement-breakpoint
ALTER TABLE "usage_files" ADD COLUMN "current_upload_no" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "usage_files" ADD COLUMN "error_detail" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "usage_files" ADD COLUMN "acceptance_note" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "usage_files" ADD COLUMN "rejection_note" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "assets" ADD CONSTRAINT "assets_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assets" ADD CONSTRAINT "assets_provider_id_parties_id_fk" FOREIGN KEY ("provider_id") REFERENCES "public"."parties"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contracts" ADD CONSTRAINT "contracts_vendor_id_parties_id_fk" FOREIGN KEY ("vendor_id") REFERENCES "public"."parties"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contracts" ADD CONSTRAINT "contracts_provider_id_parties_id_fk" FOREIGN KEY ("provider_id") REFERENCES "public"."parties"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "items" ADD CONSTRAINT "items_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "products" ADD CONSTRAINT "products_vendor_id_parties_id_fk" FOREIGN KEY ("vendor_id") REFERENCES "public"."parties"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_rules" ADD CONSTRAINT "usage_rules_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_rules" ADD CONSTRAINT "usage_rules_provider_id_parties_id_fk" FOREIGN KEY ("provider_id") REFERENCES "public"."parties"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_file_uploads" ADD CONSTRAINT "usage_file_uploads_file_id_usage_files_id_fk" FOREIGN KEY ("file_id") REFERENCES "public"."usage_files"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_reconciliations" ADD CONSTRAINT "usage_reconciliations_file_id_usage_files_id_fk" FOREIGN KEY ("file_id") REFERENCES "public"."usage_files"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rate_plan_versions" ADD CONSTRAINT "rate_plan_versions_created_by_parties_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."parties"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "what_if_runs" ADD CONSTRAINT "what_if_runs_owner_party_id_parties_id_fk" FOREIGN KEY ("owner_party_id") REFERENCES "public"."parties"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_lines" ADD CONSTRAINT "ledger_lines_posting_key_ledger_postings_key_fk" FOREIGN KEY ("posting_key") REFERENCES "public"."ledger_postings"("key") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "wallet_events" ADD CONSTRAINT "wallet_events_wallet_id_wallets_id_fk" FOREIGN KEY ("wallet_id") REFERENCES "public"."wallets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "wallet_transactions" ADD CONSTRAINT "wallet_transactions_wallet_id_wallets_id_fk" FOREIGN KEY ("wallet_id") REFERENCES "public"."wallets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "wallet_transactions" ADD CONSTRAINT "wallet_transactions_posting_key_ledger_postings_key_fk" FOREIGN KEY ("posting_key") REFERENCES "public"."ledger_postings"("key") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "wallets" ADD CONSTRAINT "wallets_owner_party_id_parties_id_fk" FOREIGN KEY ("owner_party_id") REFERENCES "public"."parties"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "allocation_charges" ADD CONSTRAINT "allocation_charges_party_id_parties_id_fk" FOREIGN KEY ("party_id") REFERENCES "public"."parties"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "allocation_charges" ADD CONSTRAINT "allocation_charges_rule_fk" FOREIGN KEY ("party_id","rule_id") REFERENCES "public"."allocation_rules"("party_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "allocation_owners" ADD CONSTRAINT "allocation_owners_party_id_parties_id_fk" FOREIGN KEY ("party_id") REFERENCES "public"."parties"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "allocation_owners" ADD CONSTRAINT "allocation_owners_parent_fk" FOREIGN KEY ("party_id","parent_id") REFERENCES "public"."allocation_owners"("party_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "allocation_rules" ADD CONSTRAINT "allocation_rules_party_id_parties_id_fk" FOREIGN KEY ("party_id") REFERENCES "public"."parties"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "assets_product_idx" ON "assets" USING btree ("product_id","provider_id");--> statement-breakpoint
CREATE INDEX "contracts_vendor_idx" ON "contracts" USING btree ("vendor_id");--> statement-breakpoint
CREATE INDEX "contracts_provider_idx" ON "contracts" USING btree ("provider_id");--> statement-breakpoint
CREATE UNIQUE INDEX "items_product_mpn_idx" ON "items" USING btree ("product_id","mpn");--> statement-breakpoint
CREATE INDEX "products_vendor_idx" ON "products" USING btree ("vendor_id");--> statement-breakpoint
CREATE INDEX "usage_reconciliations_file_idx" ON "usage_reconciliations" USING btree ("file_id");--> statement-breakpoint
CREATE UNIQUE INDEX "rate_plan_assignments_key" ON "rate_plan_assignments" USING btree ("scope","target_id","valid_from");--> statement-breakpoint
CREATE INDEX "ledger_lines_owner_idx" ON "ledger_lines" USING btree ("owner","account_kind");--> statement-breakpoint
CREATE INDEX "ledger_postings_entry_idx" ON "ledger_postings" USING btree ("entry" text_pattern_ops);--> statement-breakpoint
CREATE UNIQUE INDEX "wallet_events_once" ON "wallet_events" USING btree ("wallet_id","transaction_id","code");--> statement-breakpoint
CREATE UNIQUE INDEX "wallet_transactions_void_once" ON "wallet_transactions" USING btree ("wallet_id","target_transaction_id") WHERE "wallet_transactions"."kind" = 'void';--> statement-breakpoint
CREATE UNIQUE INDEX "wallets_creation_key" ON "wallets" USING btree ("created_by","creation_key");--> statement-breakpoint
CREATE INDEX "wallets_owner_idx" ON "wallets" USING btree ("owner_party_id");--> statement-breakpoint
CREATE INDEX "allocation_charges_period_idx" ON "allocation_charges" USING btree ("party_id","period");--> statement-breakpoint
ALTER TABLE "usage_files" ADD CONSTRAINT "usage_files_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_files" ADD CONSTRAINT "usage_files_contract_id_contracts_id_fk" FOREIGN KEY ("contract_id") REFERENCES "public"."contracts"("id") ON DELETE no action ON UPDATE no action;