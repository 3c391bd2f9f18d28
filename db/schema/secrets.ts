import { index, integer, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { timestamps } from "./_columns";
import { tenants } from "./tenants";
import { users } from "./users";

/**
 * Tenant credentials, encrypted with AES-256-GCM under HERALD_MASTER_KEY. The row id is the
 * stable ref (`secret:<id>`): rotation replaces the ciphertext in place, so referrers never change.
 */
export const secrets = pgTable(
  "secrets",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    /** What the secret is for, e.g. `sendgrid.api_key_ref`; shown to admins, never the value. */
    label: text("label").notNull(),
    /** base64 of the AES-256-GCM ciphertext. */
    ciphertext: text("ciphertext").notNull(),
    /** base64 of the 12-byte nonce, fresh for every encryption. */
    iv: text("iv").notNull(),
    /** base64 of the 16-byte GCM authentication tag. */
    authTag: text("auth_tag").notNull(),
    /** Which master key encrypted this row, so the master key itself can be rotated later. */
    keyVersion: integer("key_version").notNull().default(1),
    rotatedAt: timestamp("rotated_at", { withTimezone: true }),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    rotatedBy: uuid("rotated_by").references(() => users.id, { onDelete: "set null" }),
    ...timestamps,
  },
  (t) => [index("secrets_tenant_idx").on(t.tenantId)],
);

export type Secret = typeof secrets.$inferSelect;
export type NewSecret = typeof secrets.$inferInsert;
