CREATE TYPE "public"."billable_source" AS ENUM('feed', 'usageFile');--> statement-breakpoint
CREATE TYPE "public"."billing_directive" AS ENUM('TO_BE_BILLED', 'TO_BE_CREDITED', 'NOT_TO_BE_BILLED');--> statement-breakpoint
CREATE TYPE "public"."billing_mode" AS ENUM('postpaid', 'prepaid');--> statement-breakpoint
CREATE TYPE "public"."record_life_cycle" AS ENUM('SCHEDULED', 'POSTED', 'CANCELLED');--> statement-breakpoint
CREATE TYPE "public"."billing_period_state" AS ENUM('OPEN', 'CLOSED');--> statement-breakpoint
CREATE TYPE "public"."service_status" AS ENUM('ACTIVE', 'INACTIVE');--> statement-breakpoint
CREATE TABLE "billable_records" (
	"id" text PRIMARY KEY NOT NULL,
	"source" "billable_source" NOT NULL,
	"source_ref" text NOT NULL,
	"account_id" text NOT NULL,
	"subscription_id" text NOT NULL,
	"service_id" text NOT NULL,
	"currency" text NOT NULL,
	"category" text NOT NULL,
	"item" text NOT NULL,
	"unit" text NOT NULL,
	"quantity" numeric NOT NULL,
	"amount" numeric NOT NULL,
	"usage_at" timestamp with time zone NOT NULL,
	"billing_effective_at" timestamp with time zone NOT NULL,
	"period_start_at" timestamp with time zone,
	"plan_id" text,
	"plan_version" integer,
	"directive" "billing_directive" DEFAULT 'TO_BE_BILLED' NOT NULL,
	"life_cycle" "record_life_cycle" DEFAULT 'SCHEDULED' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "billing_periods" (
	"subscription_id" text NOT NULL,
	"start_at" timestamp with time zone NOT NULL,
	"end_at" timestamp with time zone NOT NULL,
	"state" "billing_period_state" DEFAULT 'OPEN' NOT NULL,
	"closed_at" timestamp with time zone,
	CONSTRAINT "billing_periods_subscription_id_start_at_pk" PRIMARY KEY("subscription_id","start_at"),
	CONSTRAINT "billing_periods_range" CHECK ("billing_periods"."start_at" < "billing_periods"."end_at")
);
--> statement-breakpoint
CREATE TABLE "customer_accounts" (
	"id" text PRIMARY KEY NOT NULL,
	"owner_party_id" text NOT NULL,
	"name" text DEFAULT '' NOT NULL,
	"currency" text NOT NULL,
	"time_zone" text DEFAULT 'UTC' NOT NULL,
	"billing_cycle" jsonb DEFAULT '{"kind":"calendar"}'::jsonb NOT NULL,
	"customer_group_ids" text[] DEFAULT '{}'::text[] NOT NULL,
	"late_grace_seconds" integer DEFAULT 0 NOT NULL,
	"billing_mode" "billing_mode" DEFAULT 'postpaid' NOT NULL,
	"wallet_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "service_identifiers" (
	"service_id" text NOT NULL,
	"type" text NOT NULL,
	"value" text NOT NULL,
	"valid_from" timestamp with time zone NOT NULL,
	"valid_to" timestamp with time zone,
	CONSTRAINT "service_identifiers_service_id_type_value_valid_from_pk" PRIMARY KEY("service_id","type","value","valid_from")
);
--> statement-breakpoint
CREATE TABLE "services" (
	"id" text PRIMARY KEY NOT NULL,
	"subscription_id" text,
	"status" "service_status" DEFAULT 'ACTIVE' NOT NULL,
	"active_from" timestamp with time zone NOT NULL,
	"active_to" timestamp with time zone,
	"categories" text[],
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "subscriptions" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"name" text DEFAULT '' NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone,
	"billing_term" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "billing_periods" ADD CONSTRAINT "billing_periods_subscription_id_subscriptions_id_fk" FOREIGN KEY ("subscription_id") REFERENCES "public"."subscriptions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_accounts" ADD CONSTRAINT "customer_accounts_owner_party_id_parties_id_fk" FOREIGN KEY ("owner_party_id") REFERENCES "public"."parties"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "service_identifiers" ADD CONSTRAINT "service_identifiers_service_id_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."services"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "services" ADD CONSTRAINT "services_subscription_id_subscriptions_id_fk" FOREIGN KEY ("subscription_id") REFERENCES "public"."subscriptions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_account_id_customer_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."customer_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "billable_records_account_idx" ON "billable_records" USING btree ("account_id","billing_effective_at");--> statement-breakpoint
CREATE INDEX "customer_accounts_owner_idx" ON "customer_accounts" USING btree ("owner_party_id");--> statement-breakpoint
CREATE INDEX "service_identifiers_value_idx" ON "service_identifiers" USING btree ("value");--> statement-breakpoint
CREATE INDEX "services_subscription_idx" ON "services" USING btree ("subscription_id");--> statement-breakpoint
CREATE INDEX "subscriptions_account_idx" ON "subscriptions" USING btree ("account_id");