CREATE TABLE "kommo_contacts" (
	"integration_id" uuid NOT NULL,
	"tenant_id" uuid NOT NULL,
	"kommo_id" bigint NOT NULL,
	"name" text,
	"emails" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"phones" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"kommo_updated_at" timestamp with time zone,
	"deleted" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "kommo_integrations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"subdomain" text NOT NULL,
	"client_id" text NOT NULL,
	"client_secret_ref" text NOT NULL,
	"redirect_uri" text NOT NULL,
	"status" text DEFAULT 'pending_authorization' NOT NULL,
	"error_reason" text,
	"oauth_state_nonce" text,
	"access_token_ref" text,
	"refresh_token_ref" text,
	"access_expires_at" timestamp with time zone,
	"refresh_expires_at" timestamp with time zone,
	"token_version" integer DEFAULT 0 NOT NULL,
	"refresh_claimed_until" timestamp with time zone,
	"webhook_token_ref" text NOT NULL,
	"webhook_token_hash" text NOT NULL,
	"unisender_key_ref" text,
	"unisender_list_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"delete_mode" text DEFAULT 'exclude' NOT NULL,
	"sync_status" text DEFAULT 'idle' NOT NULL,
	"sync_generation" integer DEFAULT 0 NOT NULL,
	"sync_updated_from" timestamp with time zone,
	"sync_next_page" text,
	"sync_pages" integer DEFAULT 0 NOT NULL,
	"sync_contacts" integer DEFAULT 0 NOT NULL,
	"sync_pushed" integer DEFAULT 0 NOT NULL,
	"sync_error" text,
	"sync_started_at" timestamp with time zone,
	"sync_finished_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "kommo_request_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"integration_id" uuid NOT NULL,
	"tenant_id" uuid NOT NULL,
	"service" text NOT NULL,
	"operation" text NOT NULL,
	"method" text NOT NULL,
	"input" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"status" integer,
	"ok" boolean NOT NULL,
	"summary" text DEFAULT '' NOT NULL,
	"duration_ms" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "kommo_webhook_deliveries" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"integration_id" uuid NOT NULL,
	"tenant_id" uuid NOT NULL,
	"dedupe_key" text NOT NULL,
	"changes" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"error" text,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"processed_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "kommo_contacts" ADD CONSTRAINT "kommo_contacts_integration_id_kommo_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."kommo_integrations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kommo_integrations" ADD CONSTRAINT "kommo_integrations_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kommo_request_log" ADD CONSTRAINT "kommo_request_log_integration_id_kommo_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."kommo_integrations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kommo_webhook_deliveries" ADD CONSTRAINT "kommo_webhook_deliveries_integration_id_kommo_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."kommo_integrations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "kommo_contacts_integration_kommo_idx" ON "kommo_contacts" USING btree ("integration_id","kommo_id");--> statement-breakpoint
CREATE UNIQUE INDEX "kommo_integrations_tenant_subdomain_idx" ON "kommo_integrations" USING btree ("tenant_id","subdomain");--> statement-breakpoint
CREATE UNIQUE INDEX "kommo_integrations_webhook_token_idx" ON "kommo_integrations" USING btree ("webhook_token_hash");--> statement-breakpoint
CREATE INDEX "kommo_request_log_integration_idx" ON "kommo_request_log" USING btree ("integration_id","id");--> statement-breakpoint
CREATE INDEX "kommo_request_log_created_idx" ON "kommo_request_log" USING brin ("created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "kommo_webhook_deliveries_dedupe_idx" ON "kommo_webhook_deliveries" USING btree ("integration_id","dedupe_key");--> statement-breakpoint
CREATE INDEX "kommo_webhook_deliveries_pending_idx" ON "kommo_webhook_deliveries" USING btree ("integration_id","seq") WHERE status = 'pending';