ALTER TYPE "public"."message_status" ADD VALUE 'scheduled' BEFORE 'queued';--> statement-breakpoint
ALTER TYPE "public"."message_status" ADD VALUE 'cancelled';--> statement-breakpoint
CREATE TABLE "event_contacts" (
	"event_id" uuid NOT NULL,
	"contact_id" uuid NOT NULL,
	"tenant_id" uuid NOT NULL,
	"added_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "event_contacts_event_id_contact_id_pk" PRIMARY KEY("event_id","contact_id")
);
--> statement-breakpoint
CREATE TABLE "events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"external_id" text,
	"title" text NOT NULL,
	"description" text,
	"starts_at" timestamp with time zone NOT NULL,
	"timezone" text NOT NULL,
	"location" text,
	"attributes" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"status" text DEFAULT 'scheduled' NOT NULL,
	"audience_kind" text NOT NULL,
	"audience_list_id" uuid,
	"audience_segment" jsonb,
	"cancellation_notice" jsonb,
	"cancelled_at" timestamp with time zone,
	"plan_requested_at" timestamp with time zone DEFAULT now() NOT NULL,
	"planned_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reminder_presets" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"rule" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reminder_rules" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"event_id" uuid NOT NULL,
	"purpose" text DEFAULT 'reminder' NOT NULL,
	"name" text NOT NULL,
	"timing" jsonb NOT NULL,
	"channels" jsonb NOT NULL,
	"channel_policy" text DEFAULT 'all' NOT NULL,
	"quiet_hours" jsonb,
	"catch_up" boolean DEFAULT false NOT NULL,
	"preset_id" uuid,
	"status" text DEFAULT 'active' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reminder_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"event_id" uuid NOT NULL,
	"rule_id" uuid NOT NULL,
	"scheduled_at" timestamp with time zone NOT NULL,
	"status" text DEFAULT 'scheduled' NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"cancelled_at" timestamp with time zone,
	"error" text,
	"firings" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reminder_sends" (
	"rule_id" uuid NOT NULL,
	"contact_id" uuid NOT NULL,
	"channel" text NOT NULL,
	"tenant_id" uuid NOT NULL,
	"event_id" uuid NOT NULL,
	"scheduled_at" timestamp with time zone NOT NULL,
	"run_id" uuid,
	"status" text DEFAULT 'planned' NOT NULL,
	"reason" text,
	"message_id" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reminder_sends_rule_id_contact_id_channel_pk" PRIMARY KEY("rule_id","contact_id","channel")
);
--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "send_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "reminder_run_id" uuid;--> statement-breakpoint
ALTER TABLE "event_contacts" ADD CONSTRAINT "event_contacts_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_contacts" ADD CONSTRAINT "event_contacts_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_audience_list_id_contact_lists_id_fk" FOREIGN KEY ("audience_list_id") REFERENCES "public"."contact_lists"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reminder_presets" ADD CONSTRAINT "reminder_presets_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reminder_rules" ADD CONSTRAINT "reminder_rules_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reminder_rules" ADD CONSTRAINT "reminder_rules_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reminder_rules" ADD CONSTRAINT "reminder_rules_preset_id_reminder_presets_id_fk" FOREIGN KEY ("preset_id") REFERENCES "public"."reminder_presets"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reminder_runs" ADD CONSTRAINT "reminder_runs_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reminder_runs" ADD CONSTRAINT "reminder_runs_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reminder_runs" ADD CONSTRAINT "reminder_runs_rule_id_reminder_rules_id_fk" FOREIGN KEY ("rule_id") REFERENCES "public"."reminder_rules"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reminder_sends" ADD CONSTRAINT "reminder_sends_rule_id_reminder_rules_id_fk" FOREIGN KEY ("rule_id") REFERENCES "public"."reminder_rules"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reminder_sends" ADD CONSTRAINT "reminder_sends_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "event_contacts_contact_idx" ON "event_contacts" USING btree ("contact_id");--> statement-breakpoint
CREATE UNIQUE INDEX "events_tenant_external_id_unique" ON "events" USING btree ("tenant_id","external_id") WHERE "events"."external_id" is not null;--> statement-breakpoint
CREATE INDEX "events_tenant_starts_idx" ON "events" USING btree ("tenant_id","starts_at","id");--> statement-breakpoint
CREATE INDEX "events_plan_pending_idx" ON "events" USING btree ("plan_requested_at") WHERE "events"."planned_at" is null or "events"."planned_at" < "events"."plan_requested_at";--> statement-breakpoint
CREATE UNIQUE INDEX "reminder_presets_tenant_name_unique" ON "reminder_presets" USING btree ("tenant_id","name");--> statement-breakpoint
CREATE INDEX "reminder_rules_event_idx" ON "reminder_rules" USING btree ("event_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "reminder_runs_rule_instant_unique" ON "reminder_runs" USING btree ("rule_id","scheduled_at");--> statement-breakpoint
CREATE INDEX "reminder_runs_tenant_scheduled_idx" ON "reminder_runs" USING btree ("tenant_id","scheduled_at","id");--> statement-breakpoint
CREATE INDEX "reminder_runs_event_idx" ON "reminder_runs" USING btree ("event_id","scheduled_at");--> statement-breakpoint
CREATE INDEX "reminder_runs_due_idx" ON "reminder_runs" USING btree ("scheduled_at") WHERE "reminder_runs"."status" = 'scheduled';--> statement-breakpoint
CREATE INDEX "reminder_sends_run_idx" ON "reminder_sends" USING btree ("run_id","status","contact_id");--> statement-breakpoint
CREATE INDEX "reminder_sends_event_idx" ON "reminder_sends" USING btree ("event_id","status");--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_reminder_run_id_reminder_runs_id_fk" FOREIGN KEY ("reminder_run_id") REFERENCES "public"."reminder_runs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "messages_reminder_run_idx" ON "messages" USING btree ("reminder_run_id","status") WHERE "messages"."reminder_run_id" is not null;--> statement-breakpoint
CREATE INDEX "messages_send_at_idx" ON "messages" USING btree ("send_at") WHERE "messages"."send_at" is not null;