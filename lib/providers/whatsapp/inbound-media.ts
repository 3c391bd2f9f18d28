// Inbound media: `GET /{media-id}` names a short-lived URL (and type, size, sha256), which is
// downloaded with the same Bearer token. Media ids in webhooks stay valid for 7 days.
import { providerFetch } from "@/lib/net/provider-hosts";
import { baseUrlOf, httpError, httpRequest, needCredential, ProviderSendError, rec, str, transportError, type InboundMediaDownload } from "../adapter";
import { graphError, WHATSAPP_GRAPH_VERSION } from "./graph";

export const whatsappInboundMedia: InboundMediaDownload<"whatsapp"> = {
  async download(config, credentials, providerMediaId, opts) {
    const authorization = `Bearer ${needCredential(credentials, "access_token_ref")}`;
    const info = await httpRequest(`${baseUrlOf(config)}/${WHATSAPP_GRAPH_VERSION}/${encodeURIComponent(providerMediaId)}`, {
      method: "GET",
      headers: { authorization, accept: "application/json" },
      timeoutMs: opts.timeoutMs,
    });
    if (info.status < 200 || info.status >= 300) throw graphError(info);
    const body = rec(info.body);
    const url = str(body?.url);
    if (!url || !/^https?:\/\//.test(url)) throw new ProviderSendError({ kind: "retryable", code: "no_media_url", httpStatus: info.status, message: "WhatsApp named no download URL for the media" });
    const declared = Number(body?.file_size);
    const size = Number.isFinite(declared) && declared > 0 ? declared : null;
    let res: Response;
    try {
      // The download may be 100 MB: its timeout grows with the size WhatsApp reported.
      res = await providerFetch(url, { method: "GET", headers: { authorization }, signal: AbortSignal.timeout(opts.timeoutMs + Math.ceil((size ?? 0) / 1_000_000) * 1000) });
    } catch (err) {
      throw transportError(err);
    }
    if (!res.ok || !res.body) {
      const text = await res.text().catch(() => "");
      throw httpError({ status: res.ok ? 502 : res.status, headers: res.headers, body: text });
    }
    return { body: res.body, contentType: str(body?.mime_type) ?? res.headers.get("content-type"), size };
  },
};
