import { ApiError } from "@/lib/api/errors";
import { readJson } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { sendTestMessage } from "@/lib/messaging/send-test";
import { isUuid } from "@/lib/validations/common";
import { isProviderKind } from "@/lib/validations/provider-configs";
import { sendTestBody } from "@/lib/validations/send-test";

/** Sends a real test message through this config (accept → delivery workflow); answers 202 like the send API. */
export const POST = withApiAuth<{ provider: string; id: string }>(async ({ req, params, ctx }) => {
  if (!isProviderKind(params.provider) || !isUuid(params.id)) throw ApiError.notFound("Provider config");
  const body = await readJson(req, sendTestBody);
  const outcome = await sendTestMessage(ctx, params.provider, params.id, body);
  return Response.json(outcome.body, { status: outcome.status });
}, { scope: "configs:write" });
