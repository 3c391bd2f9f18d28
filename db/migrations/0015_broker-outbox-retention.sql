CREATE TABLE "tenant_retention" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"message_audit_days" integer NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "call_commands" ADD COLUMN "last_attempt_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "call_commands" ADD COLUMN "next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "call_commands" ADD COLUMN "claimed_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "call_commands" ADD COLUMN "failing_since" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "call_event_logs" ADD COLUMN "next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "call_event_logs" ADD COLUMN "claimed_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "call_event_logs" ADD COLUMN "failing_since" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "communication_events" ADD COLUMN "next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "communication_events" ADD COLUMN "claimed_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "communication_events" ADD COLUMN "failing_since" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tenant_retention" ADD CONSTRAINT "tenant_retention_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "job_steps_created_brin" ON "job_steps" USING brin ("created_at");--> statement-breakpoint
CREATE INDEX "outbox_events_created_brin" ON "outbox_events" USING brin ("created_at");--> statement-breakpoint
CREATE INDEX "call_commands_queued_idx" ON "call_commands" USING btree ("created_at","id") WHERE "call_commands"."publish_status" = 'queued';--> statement-breakpoint
CREATE INDEX "call_event_logs_queued_idx" ON "call_event_logs" USING btree ("seq") WHERE "call_event_logs"."publish_status" = 'queued';--> statement-breakpoint
CREATE INDEX "message_attempts_started_brin" ON "message_attempts" USING brin ("started_at");--> statement-breakpoint
CREATE INDEX "message_status_history_at_brin" ON "message_status_history" USING brin ("at");--> statement-breakpoint
CREATE INDEX "communication_events_created_brin" ON "communication_events" USING brin ("created_at");--> statement-breakpoint
CREATE INDEX "communication_events_pending_idx" ON "communication_events" USING btree ("next_attempt_at") WHERE "communication_events"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "webhook_events_received_brin" ON "webhook_events" USING brin ("received_at");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_created_brin" ON "webhook_deliveries" USING brin ("created_at");