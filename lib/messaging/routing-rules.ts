// Routing rules: tenant CRUD (audited) and the preview of the chain a recipient gets.
import { getDb, type DbOrTx } from "@/db";
import { listProviderConfigs } from "@/db/queries/provider-configs";
import {
  deleteRoutingRule as deleteRuleRow,
  findRoutingRule,
  insertRoutingRule,
  listRoutingRules as listRuleRows,
  lockRoutingChannel,
  setRoutingPositions,
  updateRoutingRule,
} from "@/db/queries/routing";
import type { Channel } from "@/db/schema/messages";
import { providerKinds, type ProviderConfig } from "@/db/schema/provider-configs";
import type { RoutingMatch, RoutingRule } from "@/db/schema/routing";
import { ApiError } from "@/lib/api/errors";
import { recordAudit } from "@/lib/audit/record-audit";
import { actorUserId, type TenantContext } from "@/lib/tenancy/context";
import { providerChannels, providerLabels } from "@/lib/validations/provider-configs";
import {
  matchKindsByChannel,
  routingRuleOut,
  routePreviewOut,
  type CreateRoutingRuleInput,
  type PatchRoutingRuleInput,
  type RoutePreviewInput,
  type RoutePreviewOut,
  type RoutingRuleOut,
} from "@/lib/validations/routing-rules";
import { decideRoute, defaultRouteDescriptions, loadRoutingSnapshot } from "./routing";

// A deleted config keeps its place in a chain; the output schema needs some provider kind for it.
const DELETED_CONFIG_PROVIDER = providerKinds[0]!;

async function allConfigs(db: DbOrTx, tenantId: string) {
  const rows = await listProviderConfigs(db, { tenantId, limit: 1000 });
  return new Map(rows.map((c) => [c.id, c]));
}

function toOut(rule: RoutingRule, configs: Map<string, ProviderConfig>): RoutingRuleOut {
  return routingRuleOut.parse({
    id: rule.id,
    channel: rule.channel,
    position: rule.position,
    name: rule.name,
    match: rule.match,
    chain: rule.chain.map((id) => {
      const c = configs.get(id);
      return { config_id: id, provider: c?.provider ?? DELETED_CONFIG_PROVIDER, display_name: c?.displayName ?? "(deleted config)", status: c?.status ?? "missing" };
    }),
    enabled: rule.enabled,
    created_at: rule.createdAt.toISOString(),
    updated_at: rule.updatedAt.toISOString(),
  });
}

function invalid(path: string, message: string) {
  return new ApiError({ code: "validation_failed", message: "The request is invalid", details: [{ path, message }] });
}

function checkMatch(channel: Channel, match: RoutingMatch) {
  const allowed: readonly string[] = matchKindsByChannel[channel];
  for (const [kind, values] of Object.entries(match)) {
    if (values !== undefined && !allowed.includes(kind)) {
      throw invalid(`match.${kind}`, `A ${channel} rule matches on ${allowed.join(" or ")} only`);
    }
  }
}

function checkChain(channel: Channel, chain: string[], configs: Map<string, ProviderConfig>) {
  chain.forEach((id, i) => {
    const c = configs.get(id);
    if (!c) throw invalid(`chain[${i}]`, "No such provider config in this tenant");
    if (providerChannels[c.provider] !== channel) throw invalid(`chain[${i}]`, `${providerLabels[c.provider]} cannot send ${channel}`);
    if (c.status === "decommissioned") throw invalid(`chain[${i}]`, "This config is decommissioned");
  });
}

export async function listRoutingRules(ctx: TenantContext, opts: { channel?: Channel } = {}) {
  const db = getDb();
  const [rules, configs] = await Promise.all([listRuleRows(db, { tenantId: ctx.tenantId, channel: opts.channel }), allConfigs(db, ctx.tenantId)]);
  const channels = (opts.channel ? [opts.channel] : (["email", "sms", "push", "whatsapp"] as Channel[])).map((ch) => ({
    channel: ch,
    /** Without enabled rules the defaults apply. */
    uses_defaults: !rules.some((r) => r.channel === ch && r.enabled),
    default_description: defaultRouteDescriptions[ch],
  }));
  return { data: rules.map((r) => toOut(r, configs)), channels };
}

export async function getRoutingRule(ctx: TenantContext, id: string) {
  const db = getDb();
  const rule = await findRoutingRule(db, { tenantId: ctx.tenantId, id });
  if (!rule) throw ApiError.notFound("Routing rule");
  return toOut(rule, await allConfigs(db, ctx.tenantId));
}

export async function createRoutingRule(ctx: TenantContext, input: CreateRoutingRuleInput): Promise<RoutingRuleOut> {
  checkMatch(input.channel, input.match);
  return getDb().transaction(async (tx) => {
    await lockRoutingChannel(tx, { tenantId: ctx.tenantId, channel: input.channel });
    const configs = await allConfigs(tx, ctx.tenantId);
    checkChain(input.channel, input.chain, configs);
    const existing = await listRuleRows(tx, { tenantId: ctx.tenantId, channel: input.channel });
    const position = Math.min(input.position ?? existing.length, existing.length);
    const rule = await insertRoutingRule(tx, {
      tenantId: ctx.tenantId,
      channel: input.channel,
      position,
      name: input.name,
      match: input.match,
      chain: input.chain,
      enabled: input.enabled,
      createdBy: actorUserId(ctx.actor),
      updatedBy: actorUserId(ctx.actor),
    });
    const order = existing.map((r) => r.id);
    order.splice(position, 0, rule.id);
    await setRoutingPositions(tx, { tenantId: ctx.tenantId, orderedIds: order });
    await recordAudit(tx, ctx, {
      action: "routing_rule.created",
      targetType: "routing_rule",
      targetId: rule.id,
      details: { channel: rule.channel, name: rule.name, position, match: rule.match, chain: rule.chain, enabled: rule.enabled },
    });
    return toOut({ ...rule, position }, configs);
  });
}

export async function updateRoutingRuleById(ctx: TenantContext, id: string, input: PatchRoutingRuleInput): Promise<RoutingRuleOut> {
  const db = getDb();
  const current = await findRoutingRule(db, { tenantId: ctx.tenantId, id });
  if (!current) throw ApiError.notFound("Routing rule");
  if (input.match) checkMatch(current.channel, input.match);
  return db.transaction(async (tx) => {
    await lockRoutingChannel(tx, { tenantId: ctx.tenantId, channel: current.channel });
    const configs = await allConfigs(tx, ctx.tenantId);
    if (input.chain) checkChain(current.channel, input.chain, configs);
    const rule = await updateRoutingRule(tx, {
      tenantId: ctx.tenantId,
      id,
      values: {
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.match !== undefined ? { match: input.match } : {}),
        ...(input.chain !== undefined ? { chain: input.chain } : {}),
        ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
        updatedBy: actorUserId(ctx.actor),
      },
    });
    if (!rule) throw ApiError.notFound("Routing rule");
    let position = rule.position;
    if (input.position !== undefined) {
      const order = (await listRuleRows(tx, { tenantId: ctx.tenantId, channel: rule.channel })).map((r) => r.id).filter((r) => r !== id);
      position = Math.min(input.position, order.length);
      order.splice(position, 0, id);
      await setRoutingPositions(tx, { tenantId: ctx.tenantId, orderedIds: order });
    }
    await recordAudit(tx, ctx, {
      action: "routing_rule.updated",
      targetType: "routing_rule",
      targetId: id,
      details: { channel: rule.channel, changed: Object.keys(input), before: { match: current.match, chain: current.chain, enabled: current.enabled, position: current.position } },
    });
    return toOut({ ...rule, position }, configs);
  });
}

export async function deleteRoutingRuleById(ctx: TenantContext, id: string): Promise<void> {
  const db = getDb();
  const current = await findRoutingRule(db, { tenantId: ctx.tenantId, id });
  if (!current) throw ApiError.notFound("Routing rule");
  await db.transaction(async (tx) => {
    await lockRoutingChannel(tx, { tenantId: ctx.tenantId, channel: current.channel });
    const deleted = await deleteRuleRow(tx, { tenantId: ctx.tenantId, id });
    if (!deleted) throw ApiError.notFound("Routing rule");
    const order = (await listRuleRows(tx, { tenantId: ctx.tenantId, channel: current.channel })).map((r) => r.id);
    await setRoutingPositions(tx, { tenantId: ctx.tenantId, orderedIds: order });
    await recordAudit(tx, ctx, {
      action: "routing_rule.deleted",
      targetType: "routing_rule",
      targetId: id,
      details: { channel: deleted.channel, name: deleted.name, match: deleted.match, chain: deleted.chain },
    });
  });
}

export async function previewRoute(ctx: TenantContext, input: RoutePreviewInput): Promise<RoutePreviewOut> {
  const db = getDb();
  const [snapshot, configs] = await Promise.all([loadRoutingSnapshot(ctx.tenantId), allConfigs(db, ctx.tenantId)]);
  const to = input.channel === "email" ? input.to.toLowerCase() : input.to;
  const decision = await decideRoute(ctx.tenantId, input.channel, to, { snapshot, platform: input.platform });
  const name = (id: string) => configs.get(id)?.displayName ?? "(deleted config)";
  const a = decision.attributes;
  const chainText = decision.hops.map((h) => `${providerLabels[h.provider as keyof typeof providerLabels]} “${name(h.configId)}”`).join(" → ");
  const explanation =
    decision.source === "rule"
      ? `Rule “${decision.rule!.name}” matched: ${chainText}.`
      : decision.source === "default"
        ? `No routing rules for ${input.channel}; the defaults apply: ${chainText}.`
        : `No route: a send to this recipient would answer 422 COMM_NO_ROUTE.`;
  return routePreviewOut.parse({
    channel: input.channel,
    to,
    source: decision.source,
    rule: decision.rule ? { id: decision.rule.id, name: decision.rule.name } : null,
    recipient: {
      email_domain: a.emailDomain ?? null,
      number: a.number ?? null,
      country: a.country ?? null,
      calling_code: a.callingCode ?? null,
      platform: a.platform ?? null,
      push_target: a.pushTarget ? (a.pushTarget.topic ? "topic" : a.pushTarget.playerId ? "player_id" : "device_token") : null,
    },
    chain: decision.hops.map((h) => ({ config_id: h.configId, provider: h.provider, display_name: name(h.configId) })),
    skipped: decision.skipped.map((s) => {
      const c = configs.get(s.configId);
      return { config_id: s.configId, provider: c?.provider ?? DELETED_CONFIG_PROVIDER, display_name: `${c?.displayName ?? "(deleted config)"} — ${s.reason}`, status: c?.status ?? "missing" };
    }),
    explanation,
  });
}
