// The real twilio SDK with its host swappable. The SDK builds https://api.twilio.com/... URLs itself
// and has no base-URL option, so a RequestClient subclass rewrites each URL's origin before sending.
import twilio from "twilio";
import type RequestClient from "twilio/lib/base/RequestClient";
import { assertConnectable, providerAgents } from "@/lib/net/provider-hosts";

export interface TwilioTransportOptions {
  accountSid: string;
  authToken: string;
  /** e.g. http://127.0.0.1:4010; undefined = the real *.twilio.com hosts. */
  apiBaseUrl?: string;
  timeoutMs?: number;
}

export class RedirectingRequestClient extends twilio.RequestClient {
  private readonly target: URL;

  constructor(apiBaseUrl: string, timeoutMs?: number) {
    super({ timeout: timeoutMs });
    this.target = new URL(apiBaseUrl);
    // A tenant-chosen host: connect only to checked addresses, and follow no redirect elsewhere.
    assertConnectable(this.target);
    Object.assign(this.axios.defaults, { ...providerAgents(), maxRedirects: 0 });
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    const uri = new URL(opts.uri);
    if (uri.hostname === "twilio.com" || uri.hostname.endsWith(".twilio.com")) {
      uri.protocol = this.target.protocol;
      uri.host = this.target.host;
      uri.pathname = this.target.pathname.replace(/\/+$/, "") + uri.pathname;
    }
    return super.request<TData>({ ...opts, uri: uri.toString() });
  }
}

export function createTwilioClient(options: TwilioTransportOptions): twilio.Twilio {
  return twilio(options.accountSid, options.authToken, {
    timeout: options.timeoutMs,
    ...(options.apiBaseUrl
      ? { httpClient: new RedirectingRequestClient(options.apiBaseUrl, options.timeoutMs) }
      : {}),
  });
}
