import { readQuery } from "@/lib/api/read-json";
import { withRoute } from "@/lib/api/with-api-auth";
import { completeKommoOauth } from "@/lib/integrations/kommo/integrations";
import { publicBaseUrl } from "@/lib/providers/callback-urls";
import { kommoOauthCallbackQuery } from "@/lib/validations/kommo";

/** Kommo's redirect after consent: the signed single-use state is the credential; back to the Integrations page. */
export const GET = withRoute(async ({ req }) => {
  const { integrationId } = await completeKommoOauth(readQuery(req, kommoOauthCallbackQuery));
  return new Response(null, { status: 302, headers: { Location: `${publicBaseUrl()}/integrations?tab=kommo&id=${integrationId}&authorized=1`, "Cache-Control": "no-store" } });
});
