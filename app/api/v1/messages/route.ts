import { z } from "zod";
import { validationError } from "@/lib/api/errors";
import { readJson, readQuery } from "@/lib/api/read-json";
import { applyIdempotencyHeader, sendResponse, traceIdFrom } from "@/lib/api/send-route";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { listMessages } from "@/lib/messaging/messages";
import { sendMessage } from "@/lib/messaging/send-message";
import { resolveSendRecipient } from "@/lib/templates/render-send";
import { listMessagesQuery, parseUnifiedSend } from "@/lib/validations/messages";

export const GET = withApiAuth(async ({ req, ctx }) => {
  return Response.json(await listMessages(ctx, readQuery(req, listMessagesQuery)));
}, { scope: "messages:read" });

/** Unified send: Herald routes by channel and recipient. 202 new, 200 idempotent replay. */
export const POST = withApiAuth(async ({ req, ctx }) => {
  // A send may name a contact (contact_id / external_id) in place of the address.
  const { raw, contactId } = await resolveSendRecipient(ctx, await readJson(req, z.unknown()));
  const parsed = parseUnifiedSend(raw);
  if (!parsed.success) throw validationError(parsed.error);
  const input = applyIdempotencyHeader(req, { ...parsed.data, ...(contactId ? { contactId } : {}) });
  return sendResponse(await sendMessage(ctx, input, { endpoint: "messages", traceId: traceIdFrom(req) }));
}, { scope: "messages:send" });
