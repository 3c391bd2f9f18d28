// The HTTP side of sends shared by the unified and the provider-specific endpoints: the
// Idempotency-Key header, trace propagation, and the 202/200 answer.
import type { NextRequest } from "next/server";
import { z } from "zod";
import { providerKinds, type ProviderKind } from "@/db/schema/provider-configs";
import { sendMessage, type SendOutcome } from "@/lib/messaging/send-message";
import { providerChannels } from "@/lib/providers/definitions";
import {
  idempotencyKeySchema,
  parseProviderSend,
  providerEndpoints,
  type ProviderEndpoint,
  type SendInput,
} from "@/lib/validations/messages";
import { ApiError, validationError } from "./errors";
import { readJson } from "./read-json";
import { withApiAuth } from "./with-api-auth";

/**
 * The idempotency key of a request: the `Idempotency-Key` header or the body's key. Both present
 * and different is a client bug worth a 422, not a silent choice.
 */
export function idempotencyKeyOf(req: NextRequest, bodyKey: string | undefined): string | undefined {
  const header = req.headers.get("idempotency-key");
  if (header === null) return bodyKey;
  const parsed = idempotencyKeySchema.safeParse(header);
  if (!parsed.success) {
    throw new ApiError({
      code: "validation_failed",
      message: "The Idempotency-Key header is invalid",
      details: [{ path: "header:Idempotency-Key", message: parsed.error.issues[0]?.message ?? "Invalid" }],
    });
  }
  if (bodyKey !== undefined && bodyKey !== parsed.data) {
    throw new ApiError({
      code: "validation_failed",
      message: "The Idempotency-Key header and idempotency_key in the body differ",
      details: [{ path: "idempotency_key", message: "Differs from the Idempotency-Key header" }],
    });
  }
  return parsed.data;
}

/** Merges the `Idempotency-Key` header into a parsed send. */
export function applyIdempotencyHeader(req: NextRequest, input: SendInput): SendInput {
  const key = idempotencyKeyOf(req, input.idempotencyKey);
  return key === undefined ? input : { ...input, idempotencyKey: key };
}

const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;
const traceIdSchema = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/);

/** The caller's trace id: W3C `traceparent`, else `X-Trace-Id`; undefined when neither is usable. */
export function traceIdFrom(req: NextRequest): string | undefined {
  const tp = TRACEPARENT.exec(req.headers.get("traceparent")?.trim() ?? "");
  if (tp && !/^0+$/.test(tp[1]!)) return tp[1];
  const x = req.headers.get("x-trace-id")?.trim();
  return x && traceIdSchema.safeParse(x).success ? x : undefined;
}

export function sendResponse(outcome: SendOutcome): Response {
  const headers: Record<string, string> = { Location: `/api/v1/messages/${outcome.body.id}` };
  if (outcome.replayed) headers["Idempotency-Replayed"] = "true";
  return Response.json(outcome.body, { status: outcome.status, headers });
}

/**
 * POST /api/communication/<provider>/<endpoint>: the caller names the config. The provider in
 * the path must be one this endpoint sends through (404 otherwise, like an unknown path).
 */
export function providerSendRoute(endpoint: ProviderEndpoint) {
  return withApiAuth<{ provider: string }>(async ({ req, params, ctx }) => {
    const spec = providerEndpoints[endpoint];
    const provider = params.provider as ProviderKind;
    if (!(providerKinds as readonly string[]).includes(provider) || providerChannels[provider] !== spec.channel) throw ApiError.notFound("Endpoint");
    const parsed = parseProviderSend(endpoint, provider, await readJson(req, z.unknown()));
    if (!parsed.success) throw validationError(parsed.error);
    const input = applyIdempotencyHeader(req, parsed.data);
    return sendResponse(await sendMessage(ctx, input, { endpoint: `${provider}/${endpoint}`, traceId: traceIdFrom(req) }));
  }, { scope: "messages:send" });
}
