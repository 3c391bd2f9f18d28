// Infobip: GET /account/1/balance proves the API key.
import { httpCheck, type CredentialCheck } from "../credential-checks";

export const checkInfobipCredentials: CredentialCheck = async (_input, { base, need, timeoutMs }) =>
  httpCheck(`${base}/account/1/balance`, { authorization: `App ${need("api_key_ref")}` }, timeoutMs, () => "Infobip accepted the API key");
