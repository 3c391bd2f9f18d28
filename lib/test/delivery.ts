// Test builders for delivery: provider configs bound to simulator accounts, and queued messages.
import { randomUUID } from "node:crypto";
import { getDb } from "@/db";
import { insertMessages, insertStatusHistory } from "@/db/queries/messages";
import type { Channel, Message, RouteHop } from "@/db/schema/messages";
import type { Simulator } from "@/e2e/simulator/server";
import { moduleOf } from "@/e2e/simulator/providers";
import type { Account } from "@/e2e/simulator/types";
import { emitEvents } from "@/lib/jobs/emit";
import type { TenantContext } from "@/lib/tenancy/context";
import type { ProviderKind } from "@/lib/validations/provider-configs";
import { configBody } from "./provider-configs";
import { createConfig } from "@/lib/providers/configs";
import { transitionConfig } from "@/lib/providers/config-lifecycle";

/** Settings + credentials of a Herald config that talks to this simulator account (its simulator module knows the mapping). */
export function simConfigBody(account: Account, simUrl: string): Record<string, unknown> {
  const simModule = moduleOf(account.provider);
  if (!simModule) throw new Error(`no Herald config for simulator provider ${String((account as { provider?: string }).provider)}`);
  return simModule.heraldConfig.forAccount(account, simUrl);
}

/** A new simulator account and an active Herald config pointing at it. */
export async function makeSimConfig(
  ctx: TenantContext,
  sim: Simulator,
  provider: ProviderKind,
  opts: { status?: "active" | "paused"; overrides?: Record<string, unknown> } = {},
) {
  const account = sim.createAccount({ provider });
  return { config: await makeConfigForAccount(ctx, account, sim.url, opts), account };
}

/** An active (or paused) Herald config for an existing simulator account (in this process or not). */
export async function makeConfigForAccount(
  ctx: TenantContext,
  account: Account,
  simUrl: string,
  opts: { status?: "active" | "paused"; overrides?: Record<string, unknown> } = {},
) {
  const body = configBody(account.provider as ProviderKind, { api_base_url: simUrl, ...simConfigBody(account, simUrl), ...opts.overrides });
  const created = await createConfig(ctx, body as never);
  await transitionConfig(ctx, created.id, "active");
  if (opts.status === "paused") await transitionConfig(ctx, created.id, "paused");
  return { ...created, status: opts.status ?? "active" };
}

export interface QueueInput {
  channel: Channel;
  route: { id: string; provider: string }[];
  recipient: string;
  payload: Record<string, unknown>;
  actionId?: string;
  context?: Record<string, unknown>;
  templateId?: string;
}

/** Many queued messages in one transaction (multi-row inserts), as the batch send API writes them. */
export async function queueMessages(ctx: TenantContext, inputs: QueueInput[]): Promise<string[]> {
  const rows = inputs.map((input) => {
    const id = randomUUID();
    const route: RouteHop[] = input.route.map((c) => ({ configId: c.id, provider: c.provider }));
    return {
      id,
      tenantId: ctx.tenantId,
      channel: input.channel,
      status: "queued" as const,
      route,
      provider: (route[0]?.provider ?? null) as never,
      configId: route[0]?.configId ?? null,
      recipient: input.recipient,
      payload: input.payload,
      templateId: input.templateId ?? null,
      actionId: input.actionId ?? null,
      context: input.context ?? null,
      traceId: randomUUID().replace(/-/g, ""),
      providerReference: `hm_${id}`,
    };
  });
  await getDb().transaction(async (tx) => {
    for (let i = 0; i < rows.length; i += 500) {
      const chunk = rows.slice(i, i + 500);
      await insertMessages(tx, chunk);
      await insertStatusHistory(tx, chunk.map((r) => ({ messageId: r.id, tenantId: ctx.tenantId, fromStatus: null, toStatus: "queued" as const, reason: "accepted" })));
      await emitEvents(tx, chunk.map((r) => ({ name: "herald/message.queued" as const, data: { tenantId: ctx.tenantId, messageId: r.id }, tenantId: ctx.tenantId, id: r.id })));
    }
  });
  return rows.map((r) => r.id);
}

/**
 * Writes a queued message and its herald/message.queued event in one transaction — the same
 * outbox write the send API does — with a route the test chooses.
 */
export async function queueMessage(
  ctx: TenantContext,
  input: {
    channel: Channel;
    route: { id: string; provider: string }[];
    recipient: string;
    payload: Record<string, unknown>;
    actionId?: string;
    context?: Record<string, unknown>;
    templateId?: string;
  },
): Promise<Message> {
  const id = randomUUID();
  const route: RouteHop[] = input.route.map((c) => ({ configId: c.id, provider: c.provider }));
  await getDb().transaction(async (tx) => {
    await insertMessages(tx, [
      {
        id,
        tenantId: ctx.tenantId,
        channel: input.channel,
        status: "queued",
        route,
        provider: (route[0]?.provider ?? null) as never,
        configId: route[0]?.configId ?? null,
        recipient: input.recipient,
        payload: input.payload,
        templateId: input.templateId ?? null,
        actionId: input.actionId ?? null,
        context: input.context ?? null,
        traceId: randomUUID().replace(/-/g, ""),
        providerReference: `hm_${id}`,
      },
    ]);
    await insertStatusHistory(tx, [{ messageId: id, tenantId: ctx.tenantId, fromStatus: null, toStatus: "queued", reason: "accepted" }]);
    await emitEvents(tx, [{ name: "herald/message.queued", data: { tenantId: ctx.tenantId, messageId: id }, tenantId: ctx.tenantId, id }]);
  });
  const [row] = await getDb().query.messages.findMany({ where: (m, { eq }) => eq(m.id, id) });
  return row!;
}
