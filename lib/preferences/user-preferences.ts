import { getDb } from "@/db";
import { findUserById, updateUserPreferences as updateRow } from "@/db/queries/users";
import { ApiError } from "@/lib/api/errors";
import type { TenantContext } from "@/lib/tenancy/context";
import { userPreferencesOut, type UserPreferencesBody, type UserPreferencesOut } from "@/lib/validations/preferences";

// Preferences belong to a person, not a tenant: an API key has none.
function userIdOf(ctx: TenantContext): string {
  if (ctx.actor.type !== "user") throw ApiError.forbidden("Display preferences belong to a signed-in user");
  return ctx.actor.userId;
}

export async function getUserPreferences(ctx: TenantContext): Promise<UserPreferencesOut> {
  const user = await findUserById(getDb(), { userId: userIdOf(ctx) });
  if (!user) throw ApiError.notFound("User");
  return userPreferencesOut.parse({ timezone: user.timezone, locale: user.locale });
}

/** Omitted fields keep their value; null goes back to the browser's. */
export async function updateUserPreferences(ctx: TenantContext, body: UserPreferencesBody): Promise<UserPreferencesOut> {
  const patch: { timezone?: string | null; locale?: string | null } = {};
  if (body.timezone !== undefined) patch.timezone = body.timezone;
  if (body.locale !== undefined) patch.locale = body.locale;
  if (Object.keys(patch).length === 0) return getUserPreferences(ctx);
  const row = await updateRow(getDb(), { userId: userIdOf(ctx), patch });
  if (!row) throw ApiError.notFound("User");
  return userPreferencesOut.parse(row);
}
