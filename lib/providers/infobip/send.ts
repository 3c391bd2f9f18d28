// Infobip SMS: POST /sms/2/text/advanced with the client-chosen messageId as the idempotency reference.
import { infobipPins } from "./two-factor";
import { baseUrlOf, httpError, httpRequest, missingField, needCredential, num, ProviderSendError, rec, str, type ProviderAdapter } from "../adapter";

export const infobipAdapter: ProviderAdapter<"infobip"> = {
  provider: "infobip",
  pins: infobipPins,
  async send(config, credentials, message, opts) {
    const text = str(message.payload.body);
    if (!text) throw missingField("body");
    const payload = {
      messages: [
        {
          // Infobip takes international numbers without the plus.
          destinations: [{ to: message.recipient.replace(/^\+/, ""), messageId: message.providerReference }],
          from: str(message.payload.from) ?? config.settings.sender,
          text,
          ...(opts.callbackUrl ? { notifyUrl: opts.callbackUrl, notifyContentType: "application/json" } : {}),
          callbackData: message.id,
        },
      ],
    };
    const answer = await httpRequest(`${baseUrlOf(config)}/sms/2/text/advanced`, {
      method: "POST",
      headers: {
        authorization: `App ${needCredential(credentials, "api_key_ref")}`,
        "content-type": "application/json",
        accept: "application/json",
      },
      body: JSON.stringify(payload),
      timeoutMs: opts.timeoutMs,
    });
    if (answer.status < 200 || answer.status >= 300) {
      const code = str(rec(rec(rec(answer.body)?.requestError)?.serviceException)?.messageId);
      throw httpError(answer, code ? { code } : {});
    }
    const result = (rec(answer.body)?.messages as unknown[] | undefined)?.map(rec)[0];
    const status = rec(result?.status);
    const id = str(result?.messageId);
    if (!result || !id) throw httpError({ ...answer, status: 502 }, { kind: "retryable", code: "no_message_id" });
    // The request succeeds per destination: group 5 REJECTED / 2 UNDELIVERABLE means not sent.
    const group = num(status?.groupId);
    if (group === 5 || group === 2) {
      const name = str(status?.name) ?? "REJECTED";
      throw new ProviderSendError({
        kind: /DESTINATION|PREFIX/i.test(name) ? "invalid_recipient" : "rejected",
        code: name,
        httpStatus: answer.status,
        message: str(status?.description) ?? name,
      });
    }
    return { providerMessageId: id, status: str(status?.name) };
  },
};
