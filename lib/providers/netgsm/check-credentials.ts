// Netgsm: POST /balance (credit balance, stip 2) proves the user code and password without sending.
import { basicAuth, httpRequest, ProviderSendError, rec, str } from "../adapter";
import { providerMessage, unreachable, type CredentialCheck } from "../credential-checks";
import { netgsmCodeKinds } from "./errors";

export const checkNetgsmCredentials: CredentialCheck = async (_input, { base, need, timeoutMs }) => {
  const usercode = need("usercode_ref");
  const password = need("password_ref");
  let answer;
  try {
    answer = await httpRequest(`${base}/balance`, {
      method: "POST",
      headers: { authorization: basicAuth(usercode, password), "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ usercode, password, stip: 2 }),
      timeoutMs,
    });
  } catch (err) {
    return unreachable(err instanceof ProviderSendError ? err.cause : err);
  }
  const r = rec(answer.body);
  const code = str(r?.code);
  const words = str(r?.description) ?? providerMessage(answer.body) ?? `HTTP ${answer.status}`;
  if (code === "30" || answer.status === 401 || answer.status === 403) return { outcome: "auth", message: words, httpStatus: answer.status };
  if (answer.status >= 500 || (code && netgsmCodeKinds[code] === "retryable")) return { outcome: "provider_error", message: words, httpStatus: answer.status };
  if ((code && code !== "00") || answer.status >= 300) return { outcome: "rejected", message: words, httpStatus: answer.status };
  return { outcome: "ok", message: "Netgsm accepted the user code and password", httpStatus: answer.status };
};
