// 46elks SMS: form-encoded POST /a1/sms with HTTP Basic auth.
import { baseUrlOf, basicAuth, httpError, httpRequest, missingField, needCredential, num, rec, str, type ProviderAdapter } from "../adapter";

export const elksAdapter: ProviderAdapter<"elks"> = {
  provider: "elks",
  async send(config, credentials, message, opts) {
    const body = str(message.payload.body);
    if (!body) throw missingField("body");
    const form = new URLSearchParams({ from: str(message.payload.from) ?? config.settings.sender_id, to: message.recipient, message: body });
    if (opts.callbackUrl) form.set("whendelivered", opts.callbackUrl);
    const answer = await httpRequest(`${baseUrlOf(config)}/a1/sms`, {
      method: "POST",
      headers: {
        authorization: basicAuth(needCredential(credentials, "api_username_ref"), needCredential(credentials, "api_password_ref")),
        "content-type": "application/x-www-form-urlencoded",
        accept: "application/json",
      },
      body: form.toString(),
      timeoutMs: opts.timeoutMs,
    });
    if (answer.status < 200 || answer.status >= 300) {
      // 46elks answers plain text, e.g. "Invalid to number".
      if (answer.status === 400 && /invalid to|to number/i.test(String(answer.body))) throw httpError(answer, { kind: "invalid_recipient" });
      throw httpError(answer);
    }
    const r = rec(answer.body);
    const id = str(r?.id);
    if (!id) throw httpError({ ...answer, status: 502 }, { kind: "retryable", code: "no_message_id" });
    const cost = num(r?.cost);
    return {
      providerMessageId: id,
      status: str(r?.status),
      segments: num(r?.parts),
      // 46elks prices in 1/10000 of the account currency (SEK for Swedish accounts).
      ...(cost !== undefined ? { cost: { amount: cost / 10_000, currency: "SEK" } } : {}),
    };
  },
};
