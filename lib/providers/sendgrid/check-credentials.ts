// SendGrid: GET /v3/scopes through the SDK's client proves the API key.
import { classifyStatus, providerMessage, unreachable, type CredentialCheck } from "../credential-checks";
import { createSendgridClient } from "./transport";

export const checkSendgridCredentials: CredentialCheck = async (input, { need, timeoutMs }) => {
  const client = createSendgridClient({ apiKey: need("api_key_ref"), apiBaseUrl: input.apiBaseUrl ?? undefined, timeoutMs });
  try {
    const [res] = await client.request({ method: "GET", url: "/v3/scopes" });
    return { outcome: "ok", message: "SendGrid accepted the API key", httpStatus: res.statusCode };
  } catch (err) {
    const e = err as { code?: unknown; response?: { body?: unknown } };
    if (typeof e.code === "number") {
      return { outcome: classifyStatus(e.code), message: providerMessage(e.response?.body) ?? `HTTP ${e.code}`, httpStatus: e.code };
    }
    return unreachable(err);
  }
};
