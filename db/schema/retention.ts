import { integer, pgTable, timestamp, uuid } from "drizzle-orm/pg-core";
import { tenants } from "./tenants";

/**
 * A tenant's own retention, where it differs from the deployment's defaults (env, see README):
 * how long a message keeps its audit — attempts, status history, published events.
 */
export const tenantRetention = pgTable("tenant_retention", {
  tenantId: uuid("tenant_id")
    .primaryKey()
    .references(() => tenants.id, { onDelete: "cascade" }),
  messageAuditDays: integer("message_audit_days").notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

export type TenantRetention = typeof tenantRetention.$inferSelect;
