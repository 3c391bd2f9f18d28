import { ApiError } from "@/lib/api/errors";
import { readBodyText } from "@/lib/api/read-json";
import { withRoute } from "@/lib/api/with-api-auth";
import { receiveKommoRevokedHook, receiveKommoWebhook } from "@/lib/integrations/kommo/webhooks";

/**
 * Kommo's contact webhooks (form-encoded): recorded and answered at once; applied by the job engine.
 * The token rides in the query (`?token=`), which the access log leaves out, as for provider callbacks.
 */
export const POST = withRoute<{ id: string }>(async ({ req, params }) => {
  const type = req.headers.get("content-type") ?? "";
  if (!type.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
    throw new ApiError({ code: "unsupported_media_type", message: "Kommo webhooks are application/x-www-form-urlencoded" });
  }
  const token = new URL(req.url).searchParams.get("token") ?? "";
  const result = await receiveKommoWebhook({ id: params.id, token, body: await readBodyText(req, 512 * 1024) });
  return Response.json({ ok: true, ...result });
});

/** Kommo's access-revoked hook: `?account_id&client_uuid&signature` (HMAC-SHA256 under the client secret). */
export const GET = withRoute<{ id: string }>(async ({ req, params }) => {
  const q = new URL(req.url).searchParams;
  const accountId = q.get("account_id");
  const clientUuid = q.get("client_uuid");
  const signature = q.get("signature");
  if (!accountId || !clientUuid || !signature) throw new ApiError({ code: "bad_request", message: "account_id, client_uuid and signature are required" });
  await receiveKommoRevokedHook({ id: params.id, token: q.get("token") ?? "", accountId: accountId.slice(0, 50), clientUuid: clientUuid.slice(0, 100), signature: signature.slice(0, 200) });
  return Response.json({ ok: true });
});
