CREATE TABLE "usage_cost_hourly" (
	"tenant_id" uuid NOT NULL,
	"config_id" uuid NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"currency" text NOT NULL,
	"cost" numeric(14, 4) DEFAULT '0' NOT NULL,
	CONSTRAINT "usage_cost_hourly_config_id_hour_currency_pk" PRIMARY KEY("config_id","hour","currency")
);
--> statement-breakpoint
ALTER TABLE "usage_cost_hourly" ADD CONSTRAINT "usage_cost_hourly_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_cost_hourly" ADD CONSTRAINT "usage_cost_hourly_config_id_provider_configs_id_fk" FOREIGN KEY ("config_id") REFERENCES "public"."provider_configs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "usage_cost_hourly_tenant_hour_idx" ON "usage_cost_hourly" USING btree ("tenant_id","hour");--> statement-breakpoint
-- custom SQL (keep when regenerating)
-- Carry the costs already folded (one currency per config and hour) into the per-currency rollup.
INSERT INTO "usage_cost_hourly" ("tenant_id", "config_id", "hour", "currency", "cost")
SELECT "tenant_id", "config_id", "hour", "cost_currency", "cost" FROM "usage_config_hourly"
WHERE "cost_currency" IS NOT NULL AND "cost" <> 0
ON CONFLICT DO NOTHING;
