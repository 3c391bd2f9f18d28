// The server side of one provider: its definition paired with send, the credential check, its
// inbound webhook and, for a provider that posts no reports, the poll that asks for them. Every
// part is required; a provider without one says so with `null`.
import type { ProviderKind } from "@/db/schema/provider-configs";
import type { WebhookProvider } from "@/lib/webhooks/webhook-provider";
import type { ProviderAdapter } from "./adapter";
import type { CredentialCheck } from "./credential-checks";
import type { ProviderDefinitionInput } from "./definition";

export interface ProviderModule<P extends ProviderKind = ProviderKind> {
  definition: ProviderDefinitionInput<P>;
  adapter: ProviderAdapter<P>;
  checkCredentials: CredentialCheck;
  /** Verify + parse of what the provider posts to Herald; null when it posts nothing (FCM, OneSignal). */
  webhook: WebhookProvider | null;
  /**
   * Asks the provider for delivery reports it does not post (Netgsm): run once a minute, one run
   * across processes, by the `poll-delivery-reports` workflow. Must be safe to repeat and to run
   * beside itself. Null for providers that post their reports.
   */
  pollReports: (() => Promise<Record<string, number>>) | null;
}

/** Checks one module against the contract at its definition site (the registry checks them all again). */
export const defineProviderModule = <P extends ProviderKind>(m: ProviderModule<P>): ProviderModule<P> => m;
