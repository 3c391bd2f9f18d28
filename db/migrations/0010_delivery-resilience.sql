CREATE TABLE "dead_letter_replays" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"target_id" uuid NOT NULL,
	"actor_type" text NOT NULL,
	"actor_id" text,
	"actor_label" text NOT NULL,
	"request_id" text,
	"replayed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "delivery_slots" (
	"key" text NOT NULL,
	"holder" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "delivery_slots_key_holder_pk" PRIMARY KEY("key","holder")
);
--> statement-breakpoint
CREATE TABLE "provider_config_breaker_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"config_id" uuid NOT NULL,
	"from_state" text NOT NULL,
	"to_state" text NOT NULL,
	"reason" text NOT NULL,
	"error_rate" real,
	"calls" integer,
	"consecutive_failures" integer,
	"message_id" uuid,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "provider_config_health" (
	"config_id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"state" text DEFAULT 'closed' NOT NULL,
	"consecutive_failures" integer DEFAULT 0 NOT NULL,
	"open_until" timestamp with time zone,
	"opened_at" timestamp with time zone,
	"probe_message_id" uuid,
	"probe_claimed_at" timestamp with time zone,
	"reason" text,
	"last_failure_at" timestamp with time zone,
	"last_success_at" timestamp with time zone,
	"state_changed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "send_rate_buckets" (
	"key" text PRIMARY KEY NOT NULL,
	"tokens" double precision NOT NULL,
	"refilled_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tenant_limits" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"sends_per_second" integer,
	"max_concurrent_deliveries" integer,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
DROP INDEX "communication_events_message_unique";--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "replay_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "communication_events" ADD COLUMN "delivery_round" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "dead_letter_replays" ADD CONSTRAINT "dead_letter_replays_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "provider_config_breaker_events" ADD CONSTRAINT "provider_config_breaker_events_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "provider_config_breaker_events" ADD CONSTRAINT "provider_config_breaker_events_config_id_provider_configs_id_fk" FOREIGN KEY ("config_id") REFERENCES "public"."provider_configs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "provider_config_health" ADD CONSTRAINT "provider_config_health_config_id_provider_configs_id_fk" FOREIGN KEY ("config_id") REFERENCES "public"."provider_configs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "provider_config_health" ADD CONSTRAINT "provider_config_health_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tenant_limits" ADD CONSTRAINT "tenant_limits_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "dead_letter_replays_target_idx" ON "dead_letter_replays" USING btree ("tenant_id","target_id","replayed_at");--> statement-breakpoint
CREATE INDEX "delivery_slots_key_expires_idx" ON "delivery_slots" USING btree ("key","expires_at");--> statement-breakpoint
CREATE INDEX "provider_config_breaker_events_config_idx" ON "provider_config_breaker_events" USING btree ("config_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "communication_events_message_round_unique" ON "communication_events" USING btree ("message_id","delivery_round");