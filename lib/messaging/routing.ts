// Which provider configs a message goes through, in failover order: the tenant's routing rules,
// or the built-in defaults when it has none for the channel.
import { parsePhoneNumber } from "awesome-phonenumber";
import { getDb } from "@/db";
import { listRoutingRules } from "@/db/queries/routing";
import type { Channel, RouteHop } from "@/db/schema/messages";
import type { ProviderKind } from "@/db/schema/provider-configs";
import type { RoutingMatch, RoutingRule } from "@/db/schema/routing";
import { listActiveConfigs, type ProviderConfigRecord } from "@/lib/providers/config-record";
import type { RecipientAttributes } from "@/lib/providers/definition";
import { definitionOf, providerChannels, providersOfChannel } from "@/lib/providers/definitions";
import { channels } from "@/lib/validations/messages";

export type { RouteHop };

export type { RecipientAttributes };

export interface RouteOptions {
  /** Push: the target's platform and what it carries (from the payload). */
  platform?: string;
  pushTarget?: { deviceToken: boolean; playerId: boolean; topic: boolean };
  /** Preloaded configs and rules (a batch resolves many recipients against one snapshot). */
  snapshot?: RoutingSnapshot;
}

export interface RoutingSnapshot {
  tenantId: string;
  /** Active configs, oldest first. */
  activeConfigs: ProviderConfigRecord[];
  /** Enabled rules, by channel, in position order. */
  rules: Map<Channel, RoutingRule[]>;
}

export interface RouteDecision {
  hops: RouteHop[];
  source: "rule" | "default" | "none";
  rule: RoutingRule | null;
  attributes: RecipientAttributes;
  /** Config ids a matching rule named that could not be used, with why. */
  skipped: { configId: string; reason: string }[];
}

/** Loads what routing needs for one tenant: two queries, run together. */
export async function loadRoutingSnapshot(tenantId: string): Promise<RoutingSnapshot> {
  const [activeConfigs, rules] = await Promise.all([listActiveConfigs(tenantId), listRoutingRules(getDb(), { tenantId })]);
  const byChannel = new Map<Channel, RoutingRule[]>();
  for (const r of rules) {
    if (!r.enabled) continue;
    const list = byChannel.get(r.channel) ?? [];
    list.push(r);
    byChannel.set(r.channel, list);
  }
  return { tenantId, activeConfigs, rules: byChannel };
}

/**
 * The failover chain for one recipient, decided now: only active configs that can serve the
 * recipient, in order. An empty chain means no route (the caller answers COMM_NO_ROUTE).
 */
export async function resolveRoute(tenantId: string, channel: Channel, recipient: string, opts: RouteOptions = {}): Promise<RouteHop[]> {
  return (await decideRoute(tenantId, channel, recipient, opts)).hops;
}

export async function decideRoute(tenantId: string, channel: Channel, recipient: string, opts: RouteOptions = {}): Promise<RouteDecision> {
  const snapshot = opts.snapshot ?? (await loadRoutingSnapshot(tenantId));
  if (snapshot.tenantId !== tenantId) throw new Error("routing snapshot of another tenant");
  return decideFromSnapshot(snapshot, channel, recipientAttributes(channel, recipient, opts));
}

export function decideFromSnapshot(snapshot: RoutingSnapshot, channel: Channel, attrs: RecipientAttributes): RouteDecision {
  const active = new Map(snapshot.activeConfigs.map((c) => [c.id, c]));
  const rules = snapshot.rules.get(channel) ?? [];
  if (rules.length > 0) {
    const skipped: RouteDecision["skipped"] = [];
    for (const rule of rules) {
      if (!ruleMatches(rule.match, attrs)) continue;
      const hops: RouteHop[] = [];
      for (const configId of rule.chain) {
        const config = active.get(configId);
        const reason = !config
          ? "not active"
          : providerChannels[config.provider] !== channel
            ? `a ${config.provider} config cannot send ${channel}`
            : cannotServe(config, attrs);
        if (reason) skipped.push({ configId, reason });
        else hops.push({ configId, provider: config!.provider });
      }
      // A matching rule whose configs are all unusable lets the next matching rule try.
      if (hops.length > 0) return { hops, source: "rule", rule, attributes: attrs, skipped };
    }
    return { hops: [], source: "none", rule: null, attributes: attrs, skipped };
  }
  const hops = defaultChain(snapshot.activeConfigs, channel, attrs);
  return { hops, source: hops.length > 0 ? "default" : "none", rule: null, attributes: attrs, skipped: [] };
}

export function recipientAttributes(channel: Channel, recipient: string, opts: Pick<RouteOptions, "platform" | "pushTarget"> = {}): RecipientAttributes {
  switch (channel) {
    case "email": {
      const at = recipient.lastIndexOf("@");
      return { emailDomain: at >= 0 ? recipient.slice(at + 1).trim().toLowerCase() : undefined };
    }
    case "sms":
    case "whatsapp":
      return numberAttributes(recipient);
    case "push": {
      const pushTarget = opts.pushTarget ?? guessPushTarget(recipient);
      return { platform: opts.platform, pushTarget };
    }
  }
}

function numberAttributes(raw: string): RecipientAttributes {
  const number = raw.replace(/[\s().-]/g, "");
  const parsed = parsePhoneNumber(number);
  const countryCode = parsed.countryCode;
  return {
    number,
    country: parsed.regionCode || undefined,
    callingCode: countryCode ? `+${countryCode}` : undefined,
  };
}

/** For previews: `topic:<name>` is a topic, a UUID a subscription (player) id, anything else a device token. */
function guessPushTarget(recipient: string) {
  if (recipient.startsWith("topic:")) return { deviceToken: false, playerId: false, topic: true };
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(recipient);
  return { deviceToken: !uuid, playerId: uuid, topic: false };
}

function ruleMatches(match: RoutingMatch, a: RecipientAttributes): boolean {
  if (match.country_codes?.length && !(a.country && match.country_codes.includes(a.country))) return false;
  if (match.number_prefixes?.length && !(a.number && match.number_prefixes.some((p) => a.number!.startsWith(p)))) return false;
  if (match.email_domains?.length && !(a.emailDomain && match.email_domains.some((d) => domainMatches(d, a.emailDomain!)))) return false;
  if (match.platforms?.length && !(a.platform && match.platforms.includes(a.platform))) return false;
  return true;
}

function domainMatches(pattern: string, domain: string) {
  if (pattern.startsWith("*.")) {
    const base = pattern.slice(2);
    return domain === base || domain.endsWith(`.${base}`);
  }
  return domain === pattern;
}

/** Why a config cannot serve this recipient, or null when it can (its provider's routing rule). */
function cannotServe(config: ProviderConfigRecord, a: RecipientAttributes): string | null {
  return definitionOf(config.provider).routing.cannotServe?.(config.settings, a) ?? null;
}

/**
 * The built-in route of a channel, from the providers' routing capabilities: configs whose
 * provider claims the recipient (a country-specific SMS provider for its country code), then the
 * providers that follow claims; otherwise every non-claiming provider of the channel, in order.
 * Within a provider, configs that can serve the recipient, oldest first.
 */
function defaultChain(configs: ProviderConfigRecord[], channel: Channel, a: RecipientAttributes): RouteHop[] {
  const providers = providersOfChannel(channel);
  const usable = (p: ProviderKind) => configs.filter((c) => c.provider === p && cannotServe(c, a) === null);
  const hops = (list: ProviderConfigRecord[]) => list.map((c) => ({ configId: c.id, provider: c.provider }));
  const claimed = providers.flatMap((d) => (d.routing.claims ? usable(d.kind).filter((c) => d.routing.claims!(c.settings, a)) : []));
  if (claimed.length > 0) return hops([...claimed, ...providers.filter((d) => d.routing.followsClaims).flatMap((d) => usable(d.kind))]);
  return hops(providers.filter((d) => !d.routing.claims).flatMap((d) => usable(d.kind)));
}

function describeDefaultRoute(channel: Channel): string {
  const providers = providersOfChannel(channel);
  const then = (list: typeof providers) => list.map((d) => d.routing.describe).join(", then ");
  const claiming = providers.filter((d) => d.routing.claims);
  const followers = providers.filter((d) => d.routing.followsClaims);
  const claims = claiming.map((d) => `${d.routing.describeClaim ?? d.label}: ${then([d, ...followers])}.`);
  const rest = `${claiming.length > 0 ? "Other numbers: " : ""}${then(providers.filter((d) => !d.routing.claims))} (oldest first).`;
  return [...claims, rest].join(" ");
}

export const defaultRouteDescriptions = Object.fromEntries(channels.map((c) => [c, describeDefaultRoute(c)])) as Record<Channel, string>;
