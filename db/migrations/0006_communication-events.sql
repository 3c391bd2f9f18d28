CREATE TABLE "communication_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"message_id" uuid NOT NULL,
	"name" text NOT NULL,
	"payload" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"exchange" text,
	"routing_key" text NOT NULL,
	"publish_attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_attempt_at" timestamp with time zone,
	"published_at" timestamp with time zone,
	"dead_lettered_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "communication_events" ADD CONSTRAINT "communication_events_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "communication_events" ADD CONSTRAINT "communication_events_message_id_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."messages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "communication_events_message_unique" ON "communication_events" USING btree ("message_id");--> statement-breakpoint
CREATE INDEX "communication_events_tenant_created_idx" ON "communication_events" USING btree ("tenant_id","created_at","id");--> statement-breakpoint
CREATE INDEX "communication_events_unpublished_idx" ON "communication_events" USING btree ("tenant_id","created_at") WHERE "communication_events"."status" <> 'published';