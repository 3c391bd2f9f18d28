import { ApiError } from "@/lib/api/errors";
import { readJson } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { upsertEventByExternalId } from "@/lib/reminders/events";
import { externalIdSchema } from "@/lib/validations/contacts";
import { upsertEventBody } from "@/lib/validations/reminders";

/** Idempotent upsert by the tenant's own id: 201 created, 200 updated; `reminders` (when given) is the whole set. */
export const PUT = withApiAuth<{ external_id: string }>(async ({ req, params, ctx }) => {
  const parsed = externalIdSchema.safeParse(params.external_id);
  if (!parsed.success) throw ApiError.notFound("Event");
  const { created, event } = await upsertEventByExternalId(ctx, parsed.data, await readJson(req, upsertEventBody, 1024 * 1024));
  return Response.json(event, { status: created ? 201 : 200, headers: { Location: `/api/v1/events/${event.id}` } });
}, { scope: "reminders:write" });
