CREATE TYPE "public"."feed_load_status" AS ENUM('receiving', 'received', 'loading', 'loaded');--> statement-breakpoint
CREATE TYPE "public"."mediation_status" AS ENUM('QUARANTINED', 'PENDING', 'CLEANSED', 'COMPLETED', 'WITHDRAWN', 'WRITTEN_OFF');--> statement-breakpoint
CREATE TABLE "accepted_duplicate_keys" (
	"feed_id" text NOT NULL,
	"key" text NOT NULL,
	"load_id" text NOT NULL,
	"row_no" integer NOT NULL,
	CONSTRAINT "accepted_duplicate_keys_feed_id_key_pk" PRIMARY KEY("feed_id","key")
);
--> statement-breakpoint
CREATE TABLE "feed_load_chunks" (
	"load_id" text NOT NULL,
	"chunk_no" integer NOT NULL,
	"data" "bytea" NOT NULL,
	CONSTRAINT "feed_load_chunks_load_id_chunk_no_pk" PRIMARY KEY("load_id","chunk_no")
);
--> statement-breakpoint
CREATE TABLE "feed_loads" (
	"id" text PRIMARY KEY NOT NULL,
	"feed_id" text NOT NULL,
	"feed_version" integer NOT NULL,
	"name" text NOT NULL,
	"content_hash" text,
	"size_bytes" bigint DEFAULT 0 NOT NULL,
	"status" "feed_load_status" DEFAULT 'receiving' NOT NULL,
	"source" text NOT NULL,
	"rows" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"loaded_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "feed_raw_records" (
	"load_id" text NOT NULL,
	"row_no" integer NOT NULL,
	"line_number" integer NOT NULL,
	"raw" text,
	CONSTRAINT "feed_raw_records_load_id_row_no_pk" PRIMARY KEY("load_id","row_no")
);
--> statement-breakpoint
CREATE TABLE "feed_versions" (
	"feed_id" text NOT NULL,
	"version" integer NOT NULL,
	"definition" jsonb NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "feed_versions_feed_id_version_pk" PRIMARY KEY("feed_id","version")
);
--> statement-breakpoint
CREATE TABLE "feeds" (
	"id" text PRIMARY KEY NOT NULL,
	"owner_party_id" text NOT NULL,
	"current_version" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mediated_records" (
	"load_id" text NOT NULL,
	"row_no" integer NOT NULL,
	"feed_id" text NOT NULL,
	"feed_version" integer NOT NULL,
	"record_id" text NOT NULL,
	"status" "mediation_status" NOT NULL,
	"reason" text,
	"message" text,
	"flags" text[] NOT NULL,
	"category" text,
	"service_identifier" text,
	"usage_at" timestamp with time zone,
	"service_id" text,
	"subscription_id" text,
	"account_id" text,
	"period_start_at" timestamp with time zone,
	"period_end_at" timestamp with time zone,
	"amount" numeric,
	"currency" text,
	"rating" jsonb,
	"candidate" jsonb,
	"trace" jsonb NOT NULL,
	"owner_kind" text,
	"owner_id" text,
	"duplicate_key" text,
	"request_id" text,
	"attempt" integer DEFAULT 1 NOT NULL,
	"events" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "mediated_records_load_id_row_no_pk" PRIMARY KEY("load_id","row_no")
);
--> statement-breakpoint
CREATE TABLE "mediation_events" (
	"load_id" text NOT NULL,
	"row_no" integer NOT NULL,
	"seq" integer NOT NULL,
	"action" text NOT NULL,
	"from_status" "mediation_status" NOT NULL,
	"to_status" "mediation_status" NOT NULL,
	"reason" text,
	"actor_party_id" text,
	"note" text DEFAULT '' NOT NULL,
	"request_id" text,
	"at" timestamp with time zone NOT NULL,
	CONSTRAINT "mediation_events_load_id_row_no_seq_pk" PRIMARY KEY("load_id","row_no","seq")
);
--> statement-breakpoint
CREATE TABLE "ownership_rules" (
	"owner_party_id" text NOT NULL,
	"id" text NOT NULL,
	"rule" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ownership_rules_owner_party_id_id_pk" PRIMARY KEY("owner_party_id","id")
);
--> statement-breakpoint
CREATE TABLE "reprocess_requests" (
	"id" text PRIMARY KEY NOT NULL,
	"owner_party_id" text NOT NULL,
	"requested_by" text NOT NULL,
	"note" text DEFAULT '' NOT NULL,
	"cleansed" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "feed_loads" ADD CONSTRAINT "feed_loads_feed_id_feeds_id_fk" FOREIGN KEY ("feed_id") REFERENCES "public"."feeds"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feed_versions" ADD CONSTRAINT "feed_versions_feed_id_feeds_id_fk" FOREIGN KEY ("feed_id") REFERENCES "public"."feeds"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feeds" ADD CONSTRAINT "feeds_owner_party_id_parties_id_fk" FOREIGN KEY ("owner_party_id") REFERENCES "public"."parties"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ownership_rules" ADD CONSTRAINT "ownership_rules_owner_party_id_parties_id_fk" FOREIGN KEY ("owner_party_id") REFERENCES "public"."parties"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "feed_loads_content_idx" ON "feed_loads" USING btree ("feed_id","content_hash");--> statement-breakpoint
CREATE INDEX "feed_loads_feed_idx" ON "feed_loads" USING btree ("feed_id");--> statement-breakpoint
CREATE INDEX "feeds_owner_idx" ON "feeds" USING btree ("owner_party_id");--> statement-breakpoint
CREATE INDEX "mediated_records_open_idx" ON "mediated_records" USING btree ("feed_id","status","service_identifier") WHERE "mediated_records"."status" <> 'COMPLETED';--> statement-breakpoint
CREATE INDEX "mediated_records_request_idx" ON "mediated_records" USING btree ("request_id") WHERE "mediated_records"."request_id" is not null;