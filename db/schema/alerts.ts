// Operational alerts: a tenant's own Slack webhook, and marks that make periodic alerts fire once.
import { pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { timestamps } from "./_columns";
import { tenants } from "./tenants";
import { users } from "./users";

/**
 * Where a tenant's alerts go besides the deployment's channel. The webhook URL is a credential
 * (anyone holding it can post to the channel): stored encrypted behind a secret ref, write-only;
 * only its host is shown.
 */
export const tenantAlertSettings = pgTable("tenant_alert_settings", {
  tenantId: uuid("tenant_id")
    .primaryKey()
    .references(() => tenants.id, { onDelete: "cascade" }),
  slackWebhookRef: text("slack_webhook_ref"),
  slackWebhookHost: text("slack_webhook_host"),
  lastDeliveredAt: timestamp("last_delivered_at", { withTimezone: true }),
  lastErrorAt: timestamp("last_error_at", { withTimezone: true }),
  lastError: text("last_error"),
  updatedBy: uuid("updated_by").references(() => users.id, { onDelete: "set null" }),
  ...timestamps,
});

export type TenantAlertSettings = typeof tenantAlertSettings.$inferSelect;

/**
 * "Already alerted" for alerts a periodic check would otherwise raise every minute (a quota
 * threshold this month, dead letters this hour): the insert is the check, so one alert per key
 * across processes.
 */
export const alertMarks = pgTable("alert_marks", {
  key: text("key").primaryKey(),
  tenantId: uuid("tenant_id").references(() => tenants.id, { onDelete: "cascade" }),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});
