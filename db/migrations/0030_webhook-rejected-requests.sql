CREATE TABLE "webhook_rejected_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid,
	"config_id" uuid,
	"provider" text NOT NULL,
	"path_config_id" text NOT NULL,
	"reason" text NOT NULL,
	"detail" text NOT NULL,
	"status" integer NOT NULL,
	"source_address" text,
	"headers" jsonb NOT NULL,
	"query" text DEFAULT '' NOT NULL,
	"payload_excerpt" text DEFAULT '' NOT NULL,
	"payload_bytes" integer,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "webhook_rejected_requests" ADD CONSTRAINT "webhook_rejected_requests_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_rejected_requests" ADD CONSTRAINT "webhook_rejected_requests_config_id_provider_configs_id_fk" FOREIGN KEY ("config_id") REFERENCES "public"."provider_configs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "webhook_rejected_requests_tenant_received_idx" ON "webhook_rejected_requests" USING btree ("tenant_id","received_at","id");