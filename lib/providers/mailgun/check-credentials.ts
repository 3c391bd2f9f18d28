// Mailgun: GET /v3/domains/<domain> proves the API key and names the domain's state.
import { basicAuth } from "../adapter";
import { httpCheck, type CredentialCheck } from "../credential-checks";

export const checkMailgunCredentials: CredentialCheck = async ({ settings: s }, { base, need, timeoutMs }) =>
  httpCheck(
    `${base}/v3/domains/${encodeURIComponent(String(s.domain))}`,
    { authorization: basicAuth("api", need("api_key_ref")) },
    timeoutMs,
    (b) => `Mailgun accepted the API key; domain ${String(s.domain)} is ${b?.domain?.state ?? "known"}`,
  );
