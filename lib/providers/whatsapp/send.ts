// WhatsApp Business Cloud API (Graph) messages over fetch.
import { baseUrlOf, httpError, httpRequest, missingField, needCredential, rec, str, type ProviderAdapter } from "../adapter";
import { graphError, WHATSAPP_GRAPH_VERSION } from "./graph";
import { whatsappInboundMedia } from "./inbound-media";
import { forgetBrokenCopy, whatsappMediaContent, type UsedCopy } from "./media";

export { WHATSAPP_GRAPH_VERSION };

export const whatsappAdapter: ProviderAdapter<"whatsapp"> = {
  provider: "whatsapp",
  inboundMedia: whatsappInboundMedia,
  async send(config, credentials, message, opts) {
    const p = message.payload;
    const to = message.recipient.replace(/^\+/, "");
    const templateName = str(p.template_name);
    const bodyText = str(p.body_text);
    const mediaUrl = str(p.media_url);
    let content: Record<string, unknown>;
    let copy: UsedCopy | undefined;
    const media = rec(p.media);
    if (media && !templateName) {
      ({ content, copy } = await whatsappMediaContent(config, credentials, media, opts));
    } else if (templateName) {
      const params = Array.isArray(p.template_parameters) ? p.template_parameters : [];
      const components = [
        ...(mediaUrl ? [{ type: "header", parameters: [{ type: "image", image: { link: mediaUrl } }] }] : []),
        ...(params.length ? [{ type: "body", parameters: params.map((v) => ({ type: "text", text: String(v) })) }] : []),
      ];
      const language = (str(p.template_language) ?? config.settings.default_language_code).replace(/-/g, "_");
      content = {
        type: "template",
        template: {
          name: templateName,
          language: { code: language, policy: "deterministic" },
          ...(components.length ? { components } : {}),
        },
      };
    } else if (mediaUrl) {
      content = { type: "image", image: { link: mediaUrl, ...(bodyText ? { caption: bodyText } : {}) } };
    } else if (bodyText) {
      content = { type: "text", text: { body: bodyText, preview_url: typeof p.preview_url === "boolean" ? p.preview_url : /https?:\/\//.test(bodyText) } };
    } else {
      throw missingField("template_name or body_text");
    }
    const answer = await httpRequest(`${baseUrlOf(config)}/${WHATSAPP_GRAPH_VERSION}/${encodeURIComponent(config.settings.phone_number_id)}/messages`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${needCredential(credentials, "access_token_ref")}`,
        "content-type": "application/json",
        accept: "application/json",
      },
      body: JSON.stringify({
        messaging_product: "whatsapp",
        recipient_type: "individual",
        to,
        ...content,
        // Echoed on every status webhook: the stable reference links them back to the message.
        biz_opaque_callback_data: message.providerReference,
      }),
      timeoutMs: opts.timeoutMs,
    });
    if (answer.status < 200 || answer.status >= 300) {
      const err = graphError(answer);
      // A remembered upload WhatsApp no longer knows: forget it, and the retry uploads again.
      if (copy) throw (await forgetBrokenCopy(copy, err, opts)) ?? err;
      throw err;
    }
    const first = (rec(answer.body)?.messages as unknown[] | undefined)?.map(rec)[0];
    const id = str(first?.id);
    if (!id) throw httpError({ ...answer, status: 502 }, { kind: "retryable", code: "no_message_id" });
    return { providerMessageId: id, status: str(first?.message_status) ?? "accepted" };
  },
};
