import { z } from "zod";
import { localeSchema, timezoneSchema } from "./contacts";

const blankToNull = (v: unknown) => (typeof v === "string" && v.trim() === "" ? null : v);

/** A signed-in user's display preferences; null means "the browser's". */
export const userPreferencesBody = z.strictObject({
  timezone: z.preprocess(blankToNull, timezoneSchema.nullable()).optional(),
  locale: z.preprocess(blankToNull, localeSchema.nullable()).optional(),
});
export type UserPreferencesBody = z.infer<typeof userPreferencesBody>;

export const userPreferencesOut = z.object({ timezone: z.string().nullable(), locale: z.string().nullable() });
export type UserPreferencesOut = z.infer<typeof userPreferencesOut>;

/** Tenant-wide settings an admin changes: the zone whose midnight starts "today" and "this month". */
export const tenantSettingsBody = z.strictObject({
  timezone: timezoneSchema.optional(),
});
export type TenantSettingsBody = z.infer<typeof tenantSettingsBody>;

export const tenantSettingsOut = z.object({ slug: z.string(), name: z.string(), timezone: z.string() });
export type TenantSettingsOut = z.infer<typeof tenantSettingsOut>;
