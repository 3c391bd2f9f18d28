// OneSignal: listing one notification of the app proves the REST API key.
import { httpCheck, type CredentialCheck } from "../credential-checks";

export const checkOnesignalCredentials: CredentialCheck = async ({ settings: s }, { base, need, timeoutMs }) =>
  httpCheck(
    `${base}/notifications?app_id=${encodeURIComponent(String(s.app_id))}&limit=1`,
    { authorization: `Key ${need("rest_api_key_ref")}` },
    timeoutMs,
    () => "OneSignal accepted the REST API key",
  );
