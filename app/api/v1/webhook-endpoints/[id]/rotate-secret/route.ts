import { ApiError, validationError } from "@/lib/api/errors";
import { parseJsonText, readBodyText } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { rotateEndpointSecret } from "@/lib/outbound-webhooks/endpoints";
import { isUuid } from "@/lib/validations/common";
import { rotateSecretBody } from "@/lib/validations/outbound-webhooks";

/** Body optional: `{ "overlap_hours": 24 }` (default). The new secret is in the answer, this once. */
export const POST = withApiAuth<{ id: string }>(async ({ req, params, ctx }) => {
  if (!isUuid(params.id)) throw ApiError.notFound("Webhook endpoint");
  const text = await readBodyText(req, 4096);
  const parsed = rotateSecretBody.safeParse(text.trim() === "" ? {} : parseJsonText(text));
  if (!parsed.success) throw validationError(parsed.error);
  const rotated = await rotateEndpointSecret(ctx, params.id, parsed.data);
  return Response.json(rotated, { headers: { "Cache-Control": "no-store" } });
}, { scope: "webhooks:write" });
