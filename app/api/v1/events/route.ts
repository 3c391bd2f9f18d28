import { readJson, readQuery } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { createEvent, listEvents } from "@/lib/reminders/events";
import { createEventBody, listEventsQuery } from "@/lib/validations/reminders";

/** Events to remind about: upcoming by default (soonest first), or past / all. */
export const GET = withApiAuth(async ({ req, ctx }) => {
  return Response.json(await listEvents(ctx, readQuery(req, listEventsQuery)));
}, { scope: "reminders:read" });

/** Creates an event with its audience and (optionally) its reminders and presets, and plans them. */
export const POST = withApiAuth(async ({ req, ctx }) => {
  const event = await createEvent(ctx, await readJson(req, createEventBody, 1024 * 1024));
  return Response.json(event, { status: 201, headers: { Location: `/api/v1/events/${event.id}` } });
}, { scope: "reminders:write" });
