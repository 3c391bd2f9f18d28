// Mailgun messages API: multipart form over fetch (Mailgun's own SDK is a thin wrapper on the same).
import {
  addresses,
  baseUrlOf,
  basicAuth,
  httpError,
  httpRequest,
  missingField,
  needCredential,
  rec,
  str,
  stringValues,
  type EmailAddress,
  type ProviderAdapter,
} from "../adapter";
import { loadAttachments } from "../email-attachments";

/** v: variables Herald adds; Mailgun returns them as `user-variables` on every event. */
export const MAILGUN_MESSAGE_VAR = "herald_message_id";
export const MAILGUN_IDEMPOTENCY_VAR = "idempotency_key";

const formatAddress = (a: EmailAddress) => (a.name ? `"${a.name.replace(/["\\]/g, "")}" <${a.email}>` : a.email);

export const mailgunAdapter: ProviderAdapter<"mailgun"> = {
  provider: "mailgun",
  async send(config, credentials, message, opts) {
    const s = config.settings;
    const p = message.payload;
    // Only the payload names a Mailgun template: message.templateId may be a Herald template key.
    const templateId = str(p.template_id);
    const text = str(p.body_text);
    const html = str(p.body_html);
    if (!templateId && !text && !html) throw missingField("body_text, body_html or template_id");
    const form = new FormData();
    form.append("from", formatAddress({ email: s.from_email, name: s.from_name }));
    for (const to of addresses(p.to, message.recipient)) form.append("to", formatAddress(to));
    for (const cc of addresses(p.cc)) form.append("cc", formatAddress(cc));
    for (const bcc of addresses(p.bcc)) form.append("bcc", formatAddress(bcc));
    if (str(p.subject)) form.append("subject", str(p.subject)!);
    if (text) form.append("text", text);
    if (html) form.append("html", html);
    if (templateId) {
      form.append("template", templateId);
      const data = rec(p.template_data);
      if (data) form.append("t:variables", JSON.stringify(data));
    }
    if (str(p.reply_to)) form.append("h:Reply-To", str(p.reply_to)!);
    // Herald-set headers only (List-Unsubscribe for marketing and reminders); callers cannot set any.
    for (const [name, value] of Object.entries(stringValues(p.headers))) form.append(`h:${name}`, value);
    const categories = Array.isArray(p.categories) ? p.categories.filter((c): c is string => typeof c === "string") : [];
    for (const tag of categories.slice(0, 10)) form.append("o:tag", tag);
    form.append("o:tracking-opens", s.enable_tracking ? "yes" : "no");
    form.append("o:tracking-clicks", s.enable_click_tracking ? "yes" : "no");
    if (s.test_mode) form.append("o:testmode", "yes");
    for (const [k, v] of Object.entries(stringValues(p.custom_args))) form.append(`v:${k}`, v);
    form.append(`v:${MAILGUN_MESSAGE_VAR}`, message.id);
    form.append(`v:${MAILGUN_IDEMPOTENCY_VAR}`, message.providerReference);
    // Inline images are named by their file name in the HTML (cid:<name>): the content id is that name.
    for (const a of await loadAttachments(p, opts)) {
      const file = new Blob([new Uint8Array(a.bytes)], { type: a.contentType });
      if (a.disposition === "inline") form.append("inline", file, a.contentId ?? a.filename);
      else form.append("attachment", file, a.filename);
    }

    const url = `${baseUrlOf(config)}/v3/${encodeURIComponent(s.domain)}/messages`;
    const answer = await httpRequest(url, {
      method: "POST",
      headers: { authorization: basicAuth("api", needCredential(credentials, "api_key_ref")), accept: "application/json" },
      body: form,
      timeoutMs: opts.timeoutMs,
    });
    if (answer.status < 200 || answer.status >= 300) {
      const text = JSON.stringify(answer.body);
      // Mailgun says "… is not a valid address" / "to parameter is not a valid address" for bad recipients.
      if (answer.status === 400 && /not a valid address|invalid (to|recipient)/i.test(text)) throw httpError(answer, { kind: "invalid_recipient" });
      // 404 "Domain not found" is a config problem, not a message problem: treat as auth so the config is flagged.
      if (answer.status === 404 && /domain not found/i.test(text)) throw httpError(answer, { kind: "auth", code: "domain_not_found" });
      throw httpError(answer);
    }
    const id = str(rec(answer.body)?.id);
    if (!id) throw httpError({ ...answer, status: 502 }, { kind: "retryable", code: "no_message_id" });
    return { providerMessageId: id, status: "queued" };
  },
};
