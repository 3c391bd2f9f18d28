// SendGrid v3 mail send through the real @sendgrid/mail SDK.
import { createHash } from "node:crypto";
import type { MailService } from "@sendgrid/mail";
import { createSendgridMailService } from "./transport";
import { loadAttachments } from "../email-attachments";
import {
  addresses,
  classifyHttp,
  missingField,
  needCredential,
  parseRetryAfter,
  ProviderSendError,
  providerMessage,
  rec,
  str,
  stringValues,
  transportError,
  type ProviderAdapter,
} from "../adapter";

/** custom_args keys Herald adds; SendGrid echoes them as top-level keys of every webhook event. */
export const SENDGRID_MESSAGE_ARG = "herald_message_id";
export const SENDGRID_IDEMPOTENCY_ARG = "idempotency_key";

// One MailService per (config, key, host, timeout): building one per send costs an axios instance.
const services = new Map<string, MailService>();

function serviceFor(configId: string, apiKey: string, apiBaseUrl: string | null, timeoutMs: number): MailService {
  const key = createHash("sha256").update([configId, apiKey, apiBaseUrl ?? "", timeoutMs].join("\0")).digest("hex");
  let service = services.get(key);
  if (!service) {
    if (services.size > 500) services.clear();
    service = createSendgridMailService({ apiKey, apiBaseUrl: apiBaseUrl ?? undefined, timeoutMs });
    services.set(key, service);
  }
  return service;
}

export const sendgridAdapter: ProviderAdapter<"sendgrid"> = {
  provider: "sendgrid",
  async send(config, credentials, message, opts) {
    const s = config.settings;
    const p = message.payload;
    const to = addresses(p.to, message.recipient);
    // Only the payload names a SendGrid template: message.templateId may be a Herald template key.
    const templateId = str(p.template_id);
    const text = str(p.body_text);
    const html = str(p.body_html);
    if (!templateId && !text && !html) throw missingField("body_text, body_html or template_id");
    if (!templateId && !str(p.subject)) throw missingField("subject");
    const customArgs = {
      ...stringValues(p.custom_args),
      [SENDGRID_MESSAGE_ARG]: message.id,
      [SENDGRID_IDEMPOTENCY_ARG]: message.providerReference,
    };
    const templateData = rec(p.template_data);
    const dynamic = templateId?.startsWith("d-") ?? false;
    const categories = Array.isArray(p.categories) ? p.categories.filter((c): c is string => typeof c === "string") : undefined;
    const attachments = (await loadAttachments(p, opts)).map((a) => ({
      content: a.bytes.toString("base64"),
      filename: a.filename,
      type: a.contentType,
      disposition: a.disposition,
      // Snake case on purpose: @sendgrid/mail passes attachment objects through as given.
      ...(a.contentId ? { content_id: a.contentId } : {}),
    }));
    const mail = {
      personalizations: [
        {
          to,
          ...(addresses(p.cc).length ? { cc: addresses(p.cc) } : {}),
          ...(addresses(p.bcc).length ? { bcc: addresses(p.bcc) } : {}),
          ...(templateData && dynamic ? { dynamicTemplateData: templateData } : {}),
          ...(templateData && !dynamic ? { substitutions: stringValues(templateData) } : {}),
        },
      ],
      from: { email: s.from_email, name: s.from_name },
      ...(s.reply_to_email || str(p.reply_to) ? { replyTo: str(p.reply_to) ?? s.reply_to_email! } : {}),
      ...(str(p.subject) ? { subject: str(p.subject) } : {}),
      ...(text ? { text } : {}),
      ...(html ? { html } : {}),
      ...(templateId ? { templateId } : {}),
      ...(categories?.length ? { categories } : {}),
      ...(attachments.length ? { attachments } : {}),
      // Herald-set headers only (List-Unsubscribe for marketing and reminders); callers cannot set any.
      ...(rec(p.headers) ? { headers: stringValues(p.headers) } : {}),
      customArgs,
      trackingSettings: {
        clickTracking: { enable: s.enable_click_tracking },
        openTracking: { enable: s.enable_open_tracking },
        subscriptionTracking: { enable: s.enable_unsubscribe_tracking },
      },
      ...(s.ip_pool_name ? { ipPoolName: s.ip_pool_name } : {}),
      mailSettings: { sandboxMode: { enable: s.sandbox_mode } },
    };
    const service = serviceFor(config.id, needCredential(credentials, "api_key_ref"), config.apiBaseUrl, opts.timeoutMs);
    let response;
    try {
      [response] = await service.send(mail as never);
    } catch (err) {
      throw classifySendgridError(err);
    }
    const header = response.headers["x-message-id"];
    const id = Array.isArray(header) ? header[0] : header;
    // Sandbox mode answers 200 without an id: nothing was sent, the reference stands in.
    if (!id) return { providerMessageId: `sandbox:${message.providerReference}`, status: "sandbox" };
    return { providerMessageId: String(id), status: "accepted" };
  },
};

function classifySendgridError(err: unknown): ProviderSendError {
  const e = err as { code?: unknown; response?: { body?: unknown; headers?: Record<string, string> } };
  if (typeof e?.code !== "number") return transportError(err);
  const status = e.code;
  const body = e.response?.body;
  const headers = e.response?.headers ?? {};
  const first = (rec(body)?.errors as { field?: string | null; message?: string }[] | undefined)?.[0];
  let kind = classifyHttp(status);
  if (status === 400 && /personalizations\.\d+\.(to|cc|bcc)/.test(first?.field ?? "")) kind = "invalid_recipient";
  let retryAfterMs: number | null = null;
  if (kind === "rate_limited") {
    retryAfterMs = parseRetryAfter(headers["retry-after"]);
    const reset = Number(headers["x-ratelimit-reset"]);
    if (retryAfterMs === null && Number.isFinite(reset) && reset > 0) retryAfterMs = Math.max(0, reset * 1000 - Date.now());
  }
  return new ProviderSendError({
    kind,
    code: String(status),
    httpStatus: status,
    message: providerMessage(body) ?? `HTTP ${status}`,
    retryAfterMs,
    cause: err,
  });
}
