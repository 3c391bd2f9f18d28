CREATE TABLE "otp_blocks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"value" text NOT NULL,
	"reason" text NOT NULL,
	"stats" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"unblocked_at" timestamp with time zone,
	"unblocked_by" text
);
--> statement-breakpoint
CREATE TABLE "otp_codes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"to" text NOT NULL,
	"country" text,
	"prefix" text NOT NULL,
	"channel" text NOT NULL,
	"purpose" text,
	"locale" text,
	"template" text,
	"length" integer NOT NULL,
	"ttl_seconds" integer NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"generation" integer DEFAULT 1 NOT NULL,
	"code_hash" text,
	"code_sealed" jsonb,
	"attempts" integer DEFAULT 0 NOT NULL,
	"max_attempts" integer NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"resend_available_at" timestamp with time zone NOT NULL,
	"message_id" uuid,
	"provider_pin_id" text,
	"provider_config_id" uuid,
	"api_key_id" uuid,
	"client_address" text,
	"idempotency_key" text,
	"request_hash" text NOT NULL,
	"estimated_cost" numeric(12, 4) DEFAULT '0' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone,
	"verified_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "otp_policies" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"default_country" text,
	"allowed_countries" text[],
	"limits" jsonb,
	"daily_spend_cap" numeric(12, 4),
	"cost_per_message" numeric(12, 4),
	"pumping_min_sends" integer,
	"pumping_min_conversion_percent" integer,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "otp_provider_apps" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"config_id" uuid NOT NULL,
	"template_key" text NOT NULL,
	"application_id" text NOT NULL,
	"message_id" text NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "otp_refusals" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"reason" text NOT NULL,
	"country" text,
	"prefix" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "otp_blocks" ADD CONSTRAINT "otp_blocks_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "otp_codes" ADD CONSTRAINT "otp_codes_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "otp_policies" ADD CONSTRAINT "otp_policies_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "otp_provider_apps" ADD CONSTRAINT "otp_provider_apps_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "otp_provider_apps" ADD CONSTRAINT "otp_provider_apps_config_id_provider_configs_id_fk" FOREIGN KEY ("config_id") REFERENCES "public"."provider_configs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "otp_refusals" ADD CONSTRAINT "otp_refusals_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "otp_blocks_active_idx" ON "otp_blocks" USING btree ("tenant_id","kind","value") WHERE "otp_blocks"."unblocked_at" is null;--> statement-breakpoint
CREATE INDEX "otp_blocks_tenant_idx" ON "otp_blocks" USING btree ("tenant_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "otp_codes_idempotency_idx" ON "otp_codes" USING btree ("tenant_id","idempotency_key") WHERE "otp_codes"."idempotency_key" is not null;--> statement-breakpoint
CREATE INDEX "otp_codes_tenant_created_idx" ON "otp_codes" USING btree ("tenant_id","created_at");--> statement-breakpoint
CREATE INDEX "otp_codes_prefix_idx" ON "otp_codes" USING btree ("tenant_id","prefix","created_at");--> statement-breakpoint
CREATE INDEX "otp_codes_country_idx" ON "otp_codes" USING btree ("tenant_id","country","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "otp_provider_apps_key_idx" ON "otp_provider_apps" USING btree ("config_id","template_key");--> statement-breakpoint
CREATE INDEX "otp_refusals_tenant_at_idx" ON "otp_refusals" USING btree ("tenant_id","at");