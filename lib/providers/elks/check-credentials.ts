// 46elks: GET /a1/me proves the API username and password.
import { basicAuth } from "../adapter";
import { httpCheck, type CredentialCheck } from "../credential-checks";

export const checkElksCredentials: CredentialCheck = async (_input, { base, need, timeoutMs }) =>
  httpCheck(
    `${base}/a1/me`,
    { authorization: basicAuth(need("api_username_ref"), need("api_password_ref")) },
    timeoutMs,
    () => "46elks accepted the API credentials",
  );
