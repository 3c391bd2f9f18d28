import { readJson } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { getUserPreferences, updateUserPreferences } from "@/lib/preferences/user-preferences";
import { userPreferencesBody } from "@/lib/validations/preferences";

/** The signed-in user's time zone and locale for every dashboard date and number (null: the browser's). */
export const GET = withApiAuth(async ({ ctx }) => Response.json(await getUserPreferences(ctx)), { sessionOnly: true });

export const PATCH = withApiAuth(
  async ({ req, ctx }) => Response.json(await updateUserPreferences(ctx, await readJson(req, userPreferencesBody))),
  { sessionOnly: true },
);
