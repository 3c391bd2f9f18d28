CREATE TYPE "public"."call_command_type" AS ENUM('forward', 'hangup');--> statement-breakpoint
CREATE TYPE "public"."call_event_type" AS ENUM('call_started', 'call_ringing', 'call_answered', 'call_forwarded', 'call_ended', 'call_missed', 'call_failed');--> statement-breakpoint
CREATE TYPE "public"."publish_status" AS ENUM('queued', 'published', 'dead_lettered');--> statement-breakpoint
CREATE TABLE "call_commands" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"call_record_id" uuid NOT NULL,
	"call_id" text NOT NULL,
	"command" "call_command_type" NOT NULL,
	"to_number" text,
	"requested_by_type" text NOT NULL,
	"requested_by_id" text,
	"requested_by_label" text NOT NULL,
	"request_id" text,
	"publish_status" "publish_status" DEFAULT 'queued' NOT NULL,
	"publish_attempts" integer DEFAULT 0 NOT NULL,
	"last_publish_error" text,
	"published_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "call_event_logs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"seq" bigserial NOT NULL,
	"tenant_id" uuid NOT NULL,
	"call_id" text NOT NULL,
	"event_type" "call_event_type" NOT NULL,
	"from_number" text NOT NULL,
	"to_number" text NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"duration_seconds" integer,
	"payload" jsonb NOT NULL,
	"created_time" timestamp with time zone DEFAULT now() NOT NULL,
	"publish_status" "publish_status" DEFAULT 'queued' NOT NULL,
	"publish_attempts" integer DEFAULT 0 NOT NULL,
	"last_publish_error" text,
	"last_attempt_at" timestamp with time zone,
	"published_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "calls" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"call_id" text NOT NULL,
	"from_number" text NOT NULL,
	"to_number" text NOT NULL,
	"inbound_number_id" uuid,
	"school_id" uuid,
	"started_at" timestamp with time zone,
	"ringing_at" timestamp with time zone,
	"answered_at" timestamp with time zone,
	"forwarded_at" timestamp with time zone,
	"forwarded_to" text,
	"ended_at" timestamp with time zone,
	"missed_at" timestamp with time zone,
	"failed_at" timestamp with time zone,
	"duration_seconds" integer,
	"outcome" text GENERATED ALWAYS AS (case when failed_at is not null then 'failed' when answered_at is not null then 'answered' when missed_at is not null or ended_at is not null then 'missed' end) STORED,
	"first_event_at" timestamp with time zone NOT NULL,
	"last_event_at" timestamp with time zone NOT NULL,
	"event_count" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "inbound_numbers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"number" text NOT NULL,
	"label" text,
	"school_id" uuid,
	"assigned_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "telephony_tokens" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"prefix" text NOT NULL,
	"token_hash" text NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "telephony_tokens_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
ALTER TABLE "call_commands" ADD CONSTRAINT "call_commands_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "call_commands" ADD CONSTRAINT "call_commands_call_record_id_calls_id_fk" FOREIGN KEY ("call_record_id") REFERENCES "public"."calls"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "call_event_logs" ADD CONSTRAINT "call_event_logs_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "calls" ADD CONSTRAINT "calls_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "calls" ADD CONSTRAINT "calls_inbound_number_id_inbound_numbers_id_fk" FOREIGN KEY ("inbound_number_id") REFERENCES "public"."inbound_numbers"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "calls" ADD CONSTRAINT "calls_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inbound_numbers" ADD CONSTRAINT "inbound_numbers_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inbound_numbers" ADD CONSTRAINT "inbound_numbers_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "telephony_tokens" ADD CONSTRAINT "telephony_tokens_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "telephony_tokens" ADD CONSTRAINT "telephony_tokens_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "call_commands_call_idx" ON "call_commands" USING btree ("tenant_id","call_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "call_event_logs_dedupe" ON "call_event_logs" USING btree ("tenant_id","call_id","event_type","occurred_at");--> statement-breakpoint
CREATE INDEX "call_event_logs_call_idx" ON "call_event_logs" USING btree ("tenant_id","call_id","seq");--> statement-breakpoint
CREATE INDEX "call_event_logs_unpublished_idx" ON "call_event_logs" USING btree ("tenant_id","publish_status","seq") WHERE "call_event_logs"."publish_status" <> 'published';--> statement-breakpoint
CREATE INDEX "call_event_logs_created_idx" ON "call_event_logs" USING btree ("tenant_id","created_time");--> statement-breakpoint
CREATE UNIQUE INDEX "calls_tenant_call_id_unique" ON "calls" USING btree ("tenant_id","call_id");--> statement-breakpoint
CREATE INDEX "calls_tenant_first_event_idx" ON "calls" USING btree ("tenant_id","first_event_at");--> statement-breakpoint
CREATE INDEX "calls_school_idx" ON "calls" USING btree ("tenant_id","school_id","first_event_at");--> statement-breakpoint
CREATE UNIQUE INDEX "inbound_numbers_tenant_number_unique" ON "inbound_numbers" USING btree ("tenant_id","number");--> statement-breakpoint
CREATE INDEX "inbound_numbers_school_idx" ON "inbound_numbers" USING btree ("school_id");--> statement-breakpoint
CREATE UNIQUE INDEX "telephony_tokens_one_active" ON "telephony_tokens" USING btree ("tenant_id") WHERE "telephony_tokens"."revoked_at" is null;