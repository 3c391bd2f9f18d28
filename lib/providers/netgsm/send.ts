// Netgsm SMS: JSON POST /sms/rest/v2/send with HTTP Basic usercode:password; answers {code, jobid}.
import { baseUrlOf, basicAuth, httpError, httpRequest, missingField, needCredential, ProviderSendError, rec, str, type ProviderAdapter } from "../adapter";
import { netgsmCodeError, netgsmNumber } from "./errors";

export const netgsmAdapter: ProviderAdapter<"netgsm"> = {
  provider: "netgsm",
  async send(config, credentials, message, opts) {
    const body = str(message.payload.body);
    if (!body) throw missingField("body");
    const no = netgsmNumber(message.recipient);
    if (!no) {
      throw new ProviderSendError({ kind: "invalid_recipient", code: "not_turkish_mobile", httpStatus: null, message: "Netgsm sends to Turkish mobile numbers (+905…) only" });
    }
    const { msgheader, iys_filter, partner_code } = config.settings;
    const request = {
      msgheader: str(message.payload.from) ?? msgheader,
      encoding: "TR",
      iysfilter: iys_filter,
      ...(partner_code ? { partnercode: partner_code } : {}),
      messages: [{ msg: body, no }],
    };
    const answer = await httpRequest(`${baseUrlOf(config)}/sms/rest/v2/send`, {
      method: "POST",
      headers: {
        authorization: basicAuth(needCredential(credentials, "usercode_ref"), needCredential(credentials, "password_ref")),
        "content-type": "application/json",
        accept: "application/json",
      },
      body: JSON.stringify(request),
      timeoutMs: opts.timeoutMs,
    });
    const r = rec(answer.body);
    const code = str(r?.code);
    if (code !== undefined && code !== "00") throw netgsmCodeError(code, answer.status, str(r?.description));
    if (answer.status < 200 || answer.status >= 300) throw httpError(answer);
    const jobid = str(r?.jobid) ?? (typeof r?.jobid === "number" ? String(r.jobid) : undefined);
    if (!jobid) throw httpError({ ...answer, status: 502 }, { kind: "retryable", code: "no_job_id" });
    return { providerMessageId: jobid, status: "queued" };
  },
};
