// What one provider declares about itself. Client-safe (zod and plain data): the config bodies,
// the forms and labels, routing, the limiter and delivery read it through lib/providers/definitions.ts.
import { z } from "zod";
import type { Channel, ProviderKind } from "@/db/schema/enum-values";

export type FieldKind = "text" | "email" | "boolean" | "number" | "select" | "list" | "url";
export interface FieldMeta {
  label: string;
  kind: FieldKind;
  description?: string;
  placeholder?: string;
  options?: readonly string[];
  optional?: boolean;
}
export interface CredentialMeta {
  label: string;
  description?: string;
  multiline?: boolean;
  optional?: boolean;
}

export interface SendLimits {
  /** Provider calls in flight at once for one config. */
  concurrency: number;
  /** Calls started per second for one config; null = no rate limit. */
  ratePerSecond: number | null;
}

/** What routing reads from a recipient. */
export interface RecipientAttributes {
  /** Email: the domain after @. */
  emailDomain?: string;
  /** SMS/WhatsApp: E.164 number, its ISO region and calling code (+46). */
  number?: string;
  country?: string;
  callingCode?: string;
  /** Push. */
  platform?: string;
  pushTarget?: { deviceToken: boolean; playerId: boolean; topic: boolean };
}

type Settings = Record<string, unknown>;

/** How a provider takes part in routing: rule checks and the built-in default route of its channel. */
export interface RoutingCapabilities {
  /** Place among the channel's providers in the default route (lower first; configs oldest first within). */
  order: number;
  /** How the default-route description names this provider's configs. */
  describe: string;
  /**
   * Country-specific providers: a config that claims the recipient (e.g. its country code) takes
   * the default route, followed only by the `followsClaims` providers; without a claim such a
   * provider is left out of the default route.
   */
  claims?: (settings: Settings, a: RecipientAttributes) => boolean;
  /** How the description names what a claiming config claims. */
  describeClaim?: string;
  /** Follows a claiming provider's configs in the default route (as Twilio follows 46elks). */
  followsClaims?: boolean;
  /** Why a config cannot serve this recipient (null when it can): rule chains and defaults both check it. */
  cannotServe?: (settings: Settings, a: RecipientAttributes) => string | null;
}

/** What a provider accepts for one kind of media in a message (e.g. WhatsApp images: jpeg/png up to 5 MB). */
export interface MediaKindLimit {
  label: string;
  /** Content types as sniffed from the bytes (aliases included, e.g. audio/x-m4a for audio/mp4). */
  types: readonly string[];
  maxBytes: number;
}

/** A provider's media limits; generic code (uploads by use, the send check) reads them from here. */
export interface ProviderMediaLimits {
  /** Per kind of media message (WhatsApp image, video, audio, document, sticker). */
  kinds?: Record<string, MediaKindLimit>;
  /** The whole message including attachments (base64-encoded) and bodies, when the provider caps it. */
  maxMessageBytes?: number;
}

/** Read-only URL fields Herald derives from the config id: the callback URL rule. */
export type DerivedField =
  /** `?token=` callback URL: the provider signs nothing, the unguessable token is the credential. */
  | "dlr_callback_url"
  /** Plain callback URL: the provider signs its requests. */
  | "status_callback_url";

export interface ProviderDefinitionInput<P extends ProviderKind = ProviderKind> {
  kind: P;
  label: string;
  channel: Channel;
  /** Field schemas carry no defaults (a PATCH must not re-apply them); defaults apply on create only. */
  settings: Record<string, z.ZodType>;
  fields: Record<string, FieldMeta>;
  defaults: Record<string, unknown>;
  /** Secret fields: write-only, stored in the secret store, never returned. */
  credentials: Record<string, CredentialMeta>;
  /** Derived callback URLs; a provider with one gets it passed per message (SendOptions.callbackUrl). */
  derived: readonly DerivedField[];
  /**
   * Default send limits. Concurrency keeps one tenant's burst from opening hundreds of sockets to
   * one account; rates are left open by default because real limits depend on the account.
   */
  limits: SendLimits;
  /** Whether the provider posts webhooks to Herald (its module then has a `webhook`). */
  postsWebhooks: boolean;
  /** The provider's public API host. */
  apiBaseUrl: string;
  /** The account's own host when its settings name one (region, account URL). */
  accountBaseUrl?: (settings: Settings) => string | undefined;
  routing: RoutingCapabilities;
  /** Push providers: which payload target field addresses a device on this provider. */
  pushAddress?: "device_token" | "player_id";
  /** Media limits, for providers that take media or attachments. */
  media?: ProviderMediaLimits;
  /** A provider-specific check on a credential value before it is stored: the problem, or null. */
  validateCredential?: (field: string, value: string, settings: Settings) => string | null;
}

/**
 * Delivery settings every provider config has (API-settable; null = the default): its send
 * rate and concurrency, and its circuit breaker's thresholds.
 */
const positiveInt = (max: number) => z.number().int("A whole number").min(1, "At least 1").max(max).nullable();
export const deliverySettingsShape = {
  rate_limit_per_second: z.number().positive("Above 0").max(100_000).nullable(),
  max_concurrency: positiveInt(10_000),
  breaker_consecutive_failures: positiveInt(1_000),
  breaker_error_rate_percent: z.number().min(1, "At least 1").max(100, "At most 100").nullable(),
  breaker_window_seconds: positiveInt(3_600),
  breaker_min_calls: positiveInt(100_000),
  breaker_cooldown_seconds: positiveInt(3_600),
};
const deliveryDefaults = Object.fromEntries(Object.keys(deliverySettingsShape).map((k) => [k, null])) as Record<keyof typeof deliverySettingsShape, null>;

/** A provider definition with the delivery settings every config shares added. */
export function defineProvider<D extends ProviderDefinitionInput>(d: D) {
  return {
    ...d,
    settings: { ...d.settings, ...deliverySettingsShape } as D["settings"] & typeof deliverySettingsShape,
    defaults: { ...d.defaults, ...deliveryDefaults } as D["defaults"] & typeof deliveryDefaults,
  };
}

export type ProviderDefinition<P extends ProviderKind = ProviderKind> = ReturnType<typeof defineProvider<ProviderDefinitionInput<P>>>;
