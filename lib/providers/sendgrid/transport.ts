// The real @sendgrid SDK with its host swappable: tests and e2e point it at the provider simulator.
// setApiKey()/setDataResidency() reset baseUrl, so the override is applied after them.
import { Client as SendgridClient } from "@sendgrid/client";
import { MailService as SendgridMailService } from "@sendgrid/mail";
import { assertConnectable, providerAgents } from "@/lib/net/provider-hosts";

export interface SendgridTransportOptions {
  apiKey: string;
  /** e.g. http://127.0.0.1:4010; undefined = the real SendGrid host for `region`. */
  apiBaseUrl?: string;
  region?: "global" | "eu";
  timeoutMs?: number;
}

export function createSendgridClient(options: SendgridTransportOptions): SendgridClient {
  const client = new SendgridClient();
  client.setApiKey(options.apiKey);
  if (options.region === "eu") client.setDataResidency("eu");
  if (options.apiBaseUrl) {
    // A tenant-chosen host: connect only to checked addresses, and follow no redirect elsewhere.
    assertConnectable(options.apiBaseUrl);
    client.setDefaultRequest("baseUrl", withTrailingSlash(options.apiBaseUrl));
    client.setDefaultRequest({ ...providerAgents(), maxRedirects: 0 } as never);
  }
  // axios caps request bodies at 10 MB when it follows redirects; a message with attachments may
  // be up to SendGrid's 30 MB.
  client.setDefaultRequest({ maxBodyLength: 31_000_000 } as never);
  // ClientRequest's typings omit `timeout`, but the client passes it through to axios.
  if (options.timeoutMs !== undefined) client.setDefaultRequest({ timeout: options.timeoutMs } as never);
  return client;
}

/** A MailService bound to its own client, so tenants never share credentials or hosts. */
export function createSendgridMailService(options: SendgridTransportOptions): SendgridMailService {
  const mail = new SendgridMailService();
  mail.setClient(createSendgridClient(options));
  return mail;
}

const withTrailingSlash = (url: string) => (url.endsWith("/") ? url : `${url}/`);
