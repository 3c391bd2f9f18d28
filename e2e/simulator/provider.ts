// The contract every provider module implements, and the failure-injection glue they share.
import type { FailureHit, FailureRules } from "./failures";
import type { SimRequest, SimResponse } from "./http";
import type { SimState } from "./state";
import type { KeyObject } from "node:crypto";
import type { AccountBase, InboundInput, SentMessage, TriggerEventInput, WebhookDelivery } from "./types";
import type { WebhookDispatcher } from "./webhooks";

export interface SimContext {
  state: SimState;
  failures: FailureRules;
  webhooks: WebhookDispatcher;
  baseUrl: () => string;
  webhookDelayMs: number;
}

export type RouteHandler = (req: SimRequest, ctx: SimContext) => Promise<SimResponse>;

/** How a provider words each injected failure. */
export interface ErrorShapes {
  auth: () => SimResponse;
  rateLimit: (retryAfterSeconds: number) => SimResponse;
  serverError: (status: number) => SimResponse;
  invalidRecipient: (recipient: string) => SimResponse;
}

/** Key material that never leaves the simulator (a webhook signing key, a key that verifies JWTs). */
export interface AccountSecrets {
  privateKey?: KeyObject;
  publicKey?: KeyObject;
}

/** What every account shares; the module adds its provider's credentials to it. */
export type NewAccountBase = Omit<AccountBase, "provider">;

// Methods (not function properties) on purpose: bivariant parameters let the registry hold each
// ProviderModule<ItsAccount> as a ProviderModule<Account> without a cast per module.
export interface ProviderModule<A extends AccountBase = AccountBase> {
  name: A["provider"];
  route(method: string, path: string): RouteHandler | null;
  /** The cheap authenticated read Herald's config "test" calls (consulted before every module's route). */
  credentialCheck?(method: string, path: string): RouteHandler | null;
  errors: ErrorShapes;
  /** A new account in the provider's own id formats; fixed credential strings come from the caller. */
  buildAccount(base: NewAccountBase, credentials: Record<string, string>, simUrl: string): { account: A; secrets?: AccountSecrets };
  /** Engagement/status event for a sent message; throws UnsupportedEvent if not applicable. */
  trigger?(message: SentMessage, input: TriggerEventInput, ctx: SimContext): Promise<WebhookDelivery[]>;
  inbound?(account: A, input: InboundInput, ctx: SimContext): Promise<WebhookDelivery>;
  /** Herald's side, for tests: the config body that talks to an account here, and a valid throwaway one. */
  heraldConfig: HeraldConfigFixtures<A>;
}

export interface HeraldConfigFixtures<A extends AccountBase = AccountBase> {
  /** Settings + credentials of a Herald config bound to this simulator account. */
  forAccount(account: A, simUrl: string): Record<string, unknown>;
  /** A valid create body's settings + credentials (throwaway values; nothing is called). */
  sample(): Record<string, unknown>;
}

export class UnsupportedEvent extends Error {}

export function shapeFailure(hit: FailureHit, errors: ErrorShapes): SimResponse {
  const { rule } = hit;
  switch (rule.mode) {
    case "rate_limit": {
      const seconds = rule.retryAfterSeconds ?? 1;
      const res = errors.rateLimit(seconds);
      return { ...res, headers: { ...res.headers, "Retry-After": String(seconds) } };
    }
    case "server_error":
      return errors.serverError(rule.status ?? 500);
    case "timeout":
      return { status: 0, hangMs: rule.holdMs ?? 10_000 };
    case "auth_error":
      return errors.auth();
    case "invalid_recipient":
      return errors.invalidRecipient(hit.recipients[0] ?? "");
  }
}

/** Evaluates failure rules for an authenticated request; returns the provider-shaped failure. */
export function injectFailure(
  req: SimRequest,
  ctx: SimContext,
  errors: ErrorShapes,
  recipients: string[],
): { hit: FailureHit; response: SimResponse } | null {
  const hit = ctx.failures.evaluate({
    provider: req.meta.provider ?? "",
    accountId: req.meta.accountId,
    recipients,
  });
  if (!hit) return null;
  req.meta.failureRuleId = hit.rule.id;
  return { hit, response: shapeFailure(hit, errors) };
}

export function requireWebhookUrl(url: string | null | undefined, what: string): string {
  if (!url) throw new UnsupportedEvent(`no ${what} configured`);
  return url;
}
