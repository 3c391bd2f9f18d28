// WhatsApp: reading the phone number object proves the access token (and names the business).
import { httpCheck, type CredentialCheck } from "../credential-checks";
import { WHATSAPP_GRAPH_VERSION } from "./send";

export const checkWhatsappCredentials: CredentialCheck = async ({ settings: s }, { base, need, timeoutMs }) =>
  httpCheck(
    `${base}/${WHATSAPP_GRAPH_VERSION}/${encodeURIComponent(String(s.phone_number_id))}`,
    { authorization: `Bearer ${need("access_token_ref")}` },
    timeoutMs,
    (b) => `WhatsApp accepted the access token${b?.verified_name ? ` (${String(b.verified_name)})` : ""}`,
  );
