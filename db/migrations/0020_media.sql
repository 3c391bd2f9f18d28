CREATE TABLE "media" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"status" text NOT NULL,
	"source" text NOT NULL,
	"backend" text NOT NULL,
	"storage_key" text NOT NULL,
	"filename" text,
	"content_type" text,
	"declared_type" text,
	"size_bytes" bigint,
	"sha256" text,
	"use" text,
	"created_by_type" text NOT NULL,
	"created_by_id" text,
	"created_by_label" text NOT NULL,
	"retention_days" integer,
	"message_id" uuid,
	"config_id" uuid,
	"provider_media_id" text,
	"error" text,
	"upload_expires_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone,
	"deleted_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "media_provider_uploads" (
	"media_id" uuid NOT NULL,
	"config_id" uuid NOT NULL,
	"tenant_id" uuid NOT NULL,
	"provider_media_id" text NOT NULL,
	"uploaded_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "media_provider_uploads_media_id_config_id_pk" PRIMARY KEY("media_id","config_id")
);
--> statement-breakpoint
ALTER TABLE "media" ADD CONSTRAINT "media_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "media" ADD CONSTRAINT "media_message_id_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."messages"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "media" ADD CONSTRAINT "media_config_id_provider_configs_id_fk" FOREIGN KEY ("config_id") REFERENCES "public"."provider_configs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "media_provider_uploads" ADD CONSTRAINT "media_provider_uploads_media_id_media_id_fk" FOREIGN KEY ("media_id") REFERENCES "public"."media"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "media_provider_uploads" ADD CONSTRAINT "media_provider_uploads_config_id_provider_configs_id_fk" FOREIGN KEY ("config_id") REFERENCES "public"."provider_configs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "media_tenant_created_idx" ON "media" USING btree ("tenant_id","created_at","id");--> statement-breakpoint
CREATE INDEX "media_message_idx" ON "media" USING btree ("message_id") WHERE "media"."message_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "media_inbound_unique" ON "media" USING btree ("tenant_id","message_id","provider_media_id") WHERE "media"."source" = 'inbound';--> statement-breakpoint
CREATE INDEX "media_created_brin" ON "media" USING brin ("created_at");--> statement-breakpoint
CREATE INDEX "media_deleted_idx" ON "media" USING btree ("deleted_at") WHERE "media"."deleted_at" is not null;