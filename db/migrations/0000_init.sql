CREATE TYPE "public"."api_key_role" AS ENUM('vendor', 'provider', 'billing_manager', 'admin', 'ops');--> statement-breakpoint
CREATE TYPE "public"."party_kind" AS ENUM('vendor', 'provider', 'customer', 'internal');--> statement-breakpoint
CREATE TYPE "public"."environment" AS ENUM('preview', 'production');--> statement-breakpoint
CREATE TYPE "public"."usage_file_status" AS ENUM('draft', 'uploading', 'uploaded', 'processing', 'invalid', 'ready', 'rejected', 'pending', 'accepted', 'closed', 'deleted');--> statement-breakpoint
CREATE TABLE "api_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"party_id" text NOT NULL,
	"role" "api_key_role" NOT NULL,
	"key_hash" text NOT NULL,
	"label" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_keys_key_hash_unique" UNIQUE("key_hash")
);
--> statement-breakpoint
CREATE TABLE "parties" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" "party_kind" NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "usage_file_events" (
	"file_id" text NOT NULL,
	"seq" integer NOT NULL,
	"action" text NOT NULL,
	"from_status" "usage_file_status",
	"to_status" "usage_file_status" NOT NULL,
	"actor_party_id" text,
	"actor_key_id" text,
	"note" text DEFAULT '' NOT NULL,
	"at" timestamp with time zone NOT NULL,
	CONSTRAINT "usage_file_events_file_id_seq_pk" PRIMARY KEY("file_id","seq")
);
--> statement-breakpoint
CREATE TABLE "usage_files" (
	"id" text PRIMARY KEY NOT NULL,
	"vendor_id" text NOT NULL,
	"provider_id" text NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"status" "usage_file_status" DEFAULT 'draft' NOT NULL,
	"currency" text NOT NULL,
	"environment" "environment" NOT NULL,
	"period_from" timestamp with time zone NOT NULL,
	"period_to" timestamp with time zone NOT NULL,
	"idempotency_key" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "usage_files_period_check" CHECK ("usage_files"."period_from" <= "usage_files"."period_to")
);
--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_party_id_parties_id_fk" FOREIGN KEY ("party_id") REFERENCES "public"."parties"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_file_events" ADD CONSTRAINT "usage_file_events_file_id_usage_files_id_fk" FOREIGN KEY ("file_id") REFERENCES "public"."usage_files"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_files" ADD CONSTRAINT "usage_files_vendor_id_parties_id_fk" FOREIGN KEY ("vendor_id") REFERENCES "public"."parties"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_files" ADD CONSTRAINT "usage_files_provider_id_parties_id_fk" FOREIGN KEY ("provider_id") REFERENCES "public"."parties"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "api_keys_party_idx" ON "api_keys" USING btree ("party_id");--> statement-breakpoint
CREATE UNIQUE INDEX "usage_files_idempotency_idx" ON "usage_files" USING btree ("vendor_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "usage_files_vendor_idx" ON "usage_files" USING btree ("vendor_id");--> statement-breakpoint
CREATE INDEX "usage_files_provider_idx" ON "usage_files" USING btree ("provider_id");