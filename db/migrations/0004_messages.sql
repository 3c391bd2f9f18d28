CREATE TYPE "public"."message_channel" AS ENUM('email', 'sms', 'push', 'whatsapp');--> statement-breakpoint
CREATE TYPE "public"."message_direction" AS ENUM('outbound', 'inbound');--> statement-breakpoint
CREATE TYPE "public"."message_status" AS ENUM('queued', 'sending', 'sent', 'delivered', 'opened', 'clicked', 'read', 'failed', 'bounced', 'undelivered', 'received');--> statement-breakpoint
CREATE TABLE "message_attempts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"message_id" uuid NOT NULL,
	"tenant_id" uuid NOT NULL,
	"attempt_no" integer NOT NULL,
	"provider" "provider_kind" NOT NULL,
	"config_id" uuid,
	"outcome" text NOT NULL,
	"request_summary" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"response_code" integer,
	"error_code" text,
	"error_message" text,
	"retryable" boolean,
	"provider_reference" text,
	"latency_ms" integer,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "message_status_history" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"message_id" uuid NOT NULL,
	"tenant_id" uuid NOT NULL,
	"from_status" "message_status",
	"to_status" "message_status" NOT NULL,
	"reason" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "messages" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"channel" "message_channel" NOT NULL,
	"direction" "message_direction" DEFAULT 'outbound' NOT NULL,
	"status" "message_status" DEFAULT 'queued' NOT NULL,
	"route" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"provider" "provider_kind",
	"config_id" uuid,
	"recipient" text NOT NULL,
	"payload" jsonb NOT NULL,
	"template_id" text,
	"idempotency_key" text,
	"request_hash" text,
	"action_id" text,
	"context" jsonb,
	"trace_id" text NOT NULL,
	"provider_reference" text NOT NULL,
	"provider_message_id" text,
	"attempt_count" integer DEFAULT 0 NOT NULL,
	"segments" integer,
	"cost_amount" numeric(12, 4),
	"cost_currency" text,
	"error_code" text,
	"error_message" text,
	"retryable" boolean,
	"opens" integer DEFAULT 0 NOT NULL,
	"unique_opens" integer DEFAULT 0 NOT NULL,
	"clicks" integer DEFAULT 0 NOT NULL,
	"unique_clicks" integer DEFAULT 0 NOT NULL,
	"bounce_type" text,
	"read_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone,
	"delivered_at" timestamp with time zone,
	"failed_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "message_attempts" ADD CONSTRAINT "message_attempts_message_id_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."messages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "message_attempts" ADD CONSTRAINT "message_attempts_config_id_provider_configs_id_fk" FOREIGN KEY ("config_id") REFERENCES "public"."provider_configs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "message_status_history" ADD CONSTRAINT "message_status_history_message_id_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."messages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_config_id_provider_configs_id_fk" FOREIGN KEY ("config_id") REFERENCES "public"."provider_configs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "message_attempts_message_no_unique" ON "message_attempts" USING btree ("message_id","attempt_no");--> statement-breakpoint
CREATE INDEX "message_attempts_config_idx" ON "message_attempts" USING btree ("config_id","started_at");--> statement-breakpoint
CREATE INDEX "message_status_history_message_idx" ON "message_status_history" USING btree ("message_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "messages_tenant_idempotency_unique" ON "messages" USING btree ("tenant_id","idempotency_key") WHERE "messages"."idempotency_key" is not null;--> statement-breakpoint
CREATE INDEX "messages_tenant_created_idx" ON "messages" USING btree ("tenant_id","created_at","id");--> statement-breakpoint
CREATE INDEX "messages_tenant_status_idx" ON "messages" USING btree ("tenant_id","status","created_at");--> statement-breakpoint
CREATE INDEX "messages_provider_message_idx" ON "messages" USING btree ("provider","provider_message_id");--> statement-breakpoint
CREATE INDEX "messages_config_created_idx" ON "messages" USING btree ("config_id","created_at");