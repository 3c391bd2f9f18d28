CREATE TABLE "usage_deltas" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"config_id" uuid,
	"provider" "provider_kind",
	"channel" "message_channel" NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"sent" bigint DEFAULT 0 NOT NULL,
	"delivered" bigint DEFAULT 0 NOT NULL,
	"opened" bigint DEFAULT 0 NOT NULL,
	"clicked" bigint DEFAULT 0 NOT NULL,
	"bounced" bigint DEFAULT 0 NOT NULL,
	"failed" bigint DEFAULT 0 NOT NULL,
	"segments" bigint DEFAULT 0 NOT NULL,
	"cost" numeric(14, 4) DEFAULT '0' NOT NULL,
	"cost_currency" text,
	"last_sent_at" timestamp with time zone
);
