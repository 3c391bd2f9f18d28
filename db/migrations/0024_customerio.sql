CREATE TABLE "customerio_integrations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"region" text DEFAULT 'us' NOT NULL,
	"site_id_ref" text NOT NULL,
	"api_key_ref" text NOT NULL,
	"api_base_url" text,
	"b2c_enabled" boolean DEFAULT false NOT NULL,
	"b2b_enabled" boolean DEFAULT false NOT NULL,
	"object_type_id" text DEFAULT '1' NOT NULL,
	"mapping" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"kick_pending" boolean DEFAULT false NOT NULL,
	"last_error" text,
	"last_tested_at" timestamp with time zone,
	"last_synced_at" timestamp with time zone,
	"status_changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resync_started_at" timestamp with time zone,
	"resync_total" integer,
	"created_by" uuid,
	"updated_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "customerio_integrations_tenant_id_unique" UNIQUE("tenant_id")
);
--> statement-breakpoint
CREATE TABLE "customerio_sync_state" (
	"integration_id" uuid NOT NULL,
	"tenant_id" uuid NOT NULL,
	"entity" text NOT NULL,
	"entity_id" uuid NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"version" bigint DEFAULT 1 NOT NULL,
	"synced_version" bigint DEFAULT 0 NOT NULL,
	"cio_id" text,
	"synced_relations" jsonb,
	"synced_hash" text,
	"synced_at" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"claimed_until" timestamp with time zone,
	"claimed_version" bigint,
	"last_error" text,
	"warning" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "customerio_sync_state_integration_id_entity_entity_id_pk" PRIMARY KEY("integration_id","entity","entity_id")
);
--> statement-breakpoint
ALTER TABLE "customerio_integrations" ADD CONSTRAINT "customerio_integrations_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customerio_integrations" ADD CONSTRAINT "customerio_integrations_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customerio_integrations" ADD CONSTRAINT "customerio_integrations_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customerio_sync_state" ADD CONSTRAINT "customerio_sync_state_integration_id_customerio_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."customerio_integrations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "customerio_sync_state_pending_idx" ON "customerio_sync_state" USING btree ("integration_id","next_attempt_at") WHERE "customerio_sync_state"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "customerio_sync_state_status_idx" ON "customerio_sync_state" USING btree ("integration_id","status");