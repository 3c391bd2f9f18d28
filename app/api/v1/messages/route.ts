import { z } from "zod";
import { validationError } from "@/lib/api/errors";
import { readJson, readQuery } from "@/lib/api/read-json";
import { applyIdempotencyHeader, sendResponse, traceIdFrom } from "@/lib/api/send-route";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { listMessages } from "@/lib/messaging/messages";
import { sendMessage } from "@/lib/messaging/send-message";
import { listMessagesQuery, parseUnifiedSend } from "@/lib/validations/messages";

export const GET = withApiAuth(async ({ req, ctx }) => {
  return Response.json(await listMessages(ctx, readQuery(req, listMessagesQuery)));
}, { scope: "messages:read" });

/** Unified send: Herald routes by channel and recipient. 202 new, 200 idempotent replay. */
export const POST = withApiAuth(async ({ req, ctx }) => {
  const parsed = parseUnifiedSend(await readJson(req, z.unknown()));
  if (!parsed.success) throw validationError(parsed.error);
  const input = applyIdempotencyHeader(req, parsed.data);
  return sendResponse(await sendMessage(ctx, input, { endpoint: "messages", traceId: traceIdFrom(req) }));
}, { scope: "messages:send" });
