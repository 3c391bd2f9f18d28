CREATE TABLE "bus_bindings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"key" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "bus_dead_letters" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"binding_id" uuid,
	"dedupe_key" text NOT NULL,
	"reason_code" text NOT NULL,
	"reason" text NOT NULL,
	"event_name" text,
	"action_id" text,
	"amqp_message_id" text,
	"queue" text NOT NULL,
	"routing_key" text NOT NULL,
	"body" text NOT NULL,
	"body_truncated" boolean DEFAULT false NOT NULL,
	"occurrences" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "bus_bindings" ADD CONSTRAINT "bus_bindings_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bus_dead_letters" ADD CONSTRAINT "bus_dead_letters_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bus_dead_letters" ADD CONSTRAINT "bus_dead_letters_binding_id_bus_bindings_id_fk" FOREIGN KEY ("binding_id") REFERENCES "public"."bus_bindings"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "bus_bindings_key_unique" ON "bus_bindings" USING btree ("key");--> statement-breakpoint
CREATE INDEX "bus_bindings_tenant_idx" ON "bus_bindings" USING btree ("tenant_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "bus_dead_letters_dedupe_unique" ON "bus_dead_letters" USING btree ("tenant_id","dedupe_key");--> statement-breakpoint
CREATE INDEX "bus_dead_letters_tenant_created_idx" ON "bus_dead_letters" USING btree ("tenant_id","created_at","id");--> statement-breakpoint
CREATE INDEX "bus_dead_letters_created_brin" ON "bus_dead_letters" USING brin ("created_at");