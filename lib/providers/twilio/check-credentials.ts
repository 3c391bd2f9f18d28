// Twilio: fetching the account through the SDK proves the SID and token and shows the account's status.
import { classifyStatus, unreachable, type CredentialCheck } from "../credential-checks";
import { createTwilioClient } from "./transport";

export const checkTwilioCredentials: CredentialCheck = async (input, { need, timeoutMs }) => {
  const sid = need("account_sid_ref");
  const client = createTwilioClient({ accountSid: sid, authToken: need("auth_token_ref"), apiBaseUrl: input.apiBaseUrl ?? undefined, timeoutMs });
  try {
    const account = await client.api.v2010.accounts(sid).fetch();
    if (account.status !== "active") {
      return { outcome: "rejected", message: `The Twilio account is ${account.status}`, httpStatus: 200 };
    }
    return { outcome: "ok", message: "Twilio accepted the account SID and auth token", httpStatus: 200 };
  } catch (err) {
    const e = err as { status?: unknown; message?: string };
    if (typeof e.status === "number") {
      return { outcome: classifyStatus(e.status), message: e.message || `HTTP ${e.status}`, httpStatus: e.status };
    }
    return unreachable(err);
  }
};
