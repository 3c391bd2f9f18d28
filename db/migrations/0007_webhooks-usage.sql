CREATE TABLE "suppressions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"channel" "message_channel" NOT NULL,
	"address" text NOT NULL,
	"reason" text NOT NULL,
	"provider" "provider_kind",
	"source_event_id" uuid,
	"message_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "usage_config_hourly" (
	"tenant_id" uuid NOT NULL,
	"config_id" uuid NOT NULL,
	"provider" "provider_kind" NOT NULL,
	"channel" "message_channel" NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"sent" bigint DEFAULT 0 NOT NULL,
	"delivered" bigint DEFAULT 0 NOT NULL,
	"opened" bigint DEFAULT 0 NOT NULL,
	"clicked" bigint DEFAULT 0 NOT NULL,
	"bounced" bigint DEFAULT 0 NOT NULL,
	"failed" bigint DEFAULT 0 NOT NULL,
	"segments" bigint DEFAULT 0 NOT NULL,
	"cost" numeric(14, 4) DEFAULT '0' NOT NULL,
	"cost_currency" text,
	CONSTRAINT "usage_config_hourly_config_id_hour_pk" PRIMARY KEY("config_id","hour")
);
--> statement-breakpoint
CREATE TABLE "usage_tenant_hourly" (
	"tenant_id" uuid NOT NULL,
	"channel" "message_channel" NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"sent" bigint DEFAULT 0 NOT NULL,
	"delivered" bigint DEFAULT 0 NOT NULL,
	"opened" bigint DEFAULT 0 NOT NULL,
	"clicked" bigint DEFAULT 0 NOT NULL,
	"bounced" bigint DEFAULT 0 NOT NULL,
	"failed" bigint DEFAULT 0 NOT NULL,
	"segments" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "usage_tenant_hourly_tenant_id_hour_channel_pk" PRIMARY KEY("tenant_id","hour","channel")
);
--> statement-breakpoint
CREATE TABLE "webhook_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"config_id" uuid,
	"provider" "provider_kind" NOT NULL,
	"event_key" text NOT NULL,
	"event_type" text NOT NULL,
	"provider_event" text NOT NULL,
	"verification" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"message_id" uuid,
	"provider_message_id" text,
	"recipient" text,
	"occurred_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"processed_at" timestamp with time zone,
	"processing_attempts" integer DEFAULT 0 NOT NULL,
	"outcome" text,
	"duplicate_count" integer DEFAULT 0 NOT NULL,
	"last_duplicate_at" timestamp with time zone,
	"payload" jsonb NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
ALTER TABLE "suppressions" ADD CONSTRAINT "suppressions_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "suppressions" ADD CONSTRAINT "suppressions_source_event_id_webhook_events_id_fk" FOREIGN KEY ("source_event_id") REFERENCES "public"."webhook_events"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "suppressions" ADD CONSTRAINT "suppressions_message_id_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."messages"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_config_hourly" ADD CONSTRAINT "usage_config_hourly_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_config_hourly" ADD CONSTRAINT "usage_config_hourly_config_id_provider_configs_id_fk" FOREIGN KEY ("config_id") REFERENCES "public"."provider_configs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_tenant_hourly" ADD CONSTRAINT "usage_tenant_hourly_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_events" ADD CONSTRAINT "webhook_events_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_events" ADD CONSTRAINT "webhook_events_config_id_provider_configs_id_fk" FOREIGN KEY ("config_id") REFERENCES "public"."provider_configs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_events" ADD CONSTRAINT "webhook_events_message_id_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."messages"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "suppressions_tenant_channel_address_unique" ON "suppressions" USING btree ("tenant_id","channel","address");--> statement-breakpoint
CREATE INDEX "usage_config_hourly_tenant_hour_idx" ON "usage_config_hourly" USING btree ("tenant_id","hour");--> statement-breakpoint
CREATE UNIQUE INDEX "webhook_events_tenant_provider_key_unique" ON "webhook_events" USING btree ("tenant_id","provider","event_key");--> statement-breakpoint
CREATE INDEX "webhook_events_tenant_received_idx" ON "webhook_events" USING btree ("tenant_id","received_at","id");--> statement-breakpoint
CREATE INDEX "webhook_events_pending_idx" ON "webhook_events" USING btree ("tenant_id","received_at") WHERE "webhook_events"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "webhook_events_message_idx" ON "webhook_events" USING btree ("message_id");