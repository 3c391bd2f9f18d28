// The /__sim JSON control API: the Simulator's programmatic operations over HTTP.
import { z } from "zod";
import type { SimRequest, SimResponse } from "./http";
import type { Simulator } from "./server";
import { SimulatorError } from "./errors";
import { PROVIDERS } from "./providers";
import { ENGAGEMENT_EVENTS, FAILURE_MODES, type ListFilter } from "./types";

const provider = z.enum(PROVIDERS);

const createAccountBody = z.object({
  provider,
  label: z.string().optional(),
  webhookUrl: z.string().url().nullable().optional(),
  credentials: z.record(z.string(), z.string()).optional(),
});

const updateAccountBody = z.object({
  webhookUrl: z.string().url().nullable().optional(),
  autoDelivery: z.boolean().nullable().optional(),
});

const failureRuleBody = z.object({
  mode: z.enum(FAILURE_MODES),
  provider: provider.optional(),
  accountId: z.string().optional(),
  recipient: z.string().optional(),
  recipientPrefix: z.string().optional(),
  rate: z.number().min(0).max(1).optional(),
  count: z.number().int().positive().optional(),
  status: z.union([z.literal(500), z.literal(502), z.literal(503)]).optional(),
  retryAfterSeconds: z.number().int().nonnegative().optional(),
  holdMs: z.number().int().nonnegative().optional(),
});

const eventBody = z.object({
  messageId: z.string(),
  event: z.enum(ENGAGEMENT_EVENTS),
  recipient: z.string().optional(),
  url: z.string().optional(),
  bounceType: z.enum(["hard", "soft", "block"]).optional(),
  reason: z.string().optional(),
  errorCode: z.number().int().optional(),
});

const inboundBody = z.object({
  accountId: z.string(),
  from: z.string(),
  to: z.string().optional(),
  text: z.string(),
  name: z.string().optional(),
  media: z
    .object({
      type: z.enum(["image", "video", "audio", "document", "sticker"]),
      mimeType: z.string(),
      contentBase64: z.string(),
      filename: z.string().optional(),
      caption: z.string().optional(),
    })
    .optional(),
});

const autoDeliveryBody = z.object({ enabled: z.boolean() });
const resetBody = z.object({ accounts: z.boolean().optional() });

function parseBody<T>(req: SimRequest, schema: z.ZodType<T>): T {
  const raw = req.rawBody.length ? req.json() : {};
  const result = schema.safeParse(raw);
  if (!result.success) {
    const detail = result.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ");
    throw new SimulatorError(400, detail);
  }
  return result.data;
}

function parseProvider(value: string) {
  const result = provider.safeParse(value);
  if (!result.success) throw new SimulatorError(400, `unknown provider: ${value}`);
  return result.data;
}

function listFilter(req: SimRequest): ListFilter {
  const q = req.url.searchParams;
  const filter: ListFilter = {};
  const p = q.get("provider");
  if (p) filter.provider = parseProvider(p);
  const accountId = q.get("accountId");
  if (accountId) filter.accountId = accountId;
  const since = q.get("since");
  if (since) filter.since = /^\d+$/.test(since) ? Number(since) : since;
  const afterSeq = q.get("afterSeq");
  if (afterSeq) filter.afterSeq = Number(afterSeq);
  const limit = q.get("limit");
  if (limit) filter.limit = Number(limit);
  return filter;
}

const ok = (body: object, status = 200): SimResponse => ({ status, body });

export async function handleControl(req: SimRequest, sim: Simulator): Promise<SimResponse> {
  const parts = req.path.split("/").slice(2).map(decodeURIComponent);
  const [resource, id] = parts;
  const route = `${req.method} ${resource ?? ""}${id !== undefined ? "/:id" : ""}`;
  switch (route) {
    case "GET health":
      return ok({ ok: true, url: sim.url });
    case "GET accounts": {
      const p = req.url.searchParams.get("provider");
      return ok({ accounts: sim.listAccounts(p ? parseProvider(p) : undefined) });
    }
    case "POST accounts":
      return ok({ account: sim.createAccount(parseBody(req, createAccountBody)) }, 201);
    case "GET accounts/:id":
      return ok({ account: sim.getAccount(id ?? "") });
    case "PATCH accounts/:id":
      return ok({ account: sim.updateAccount(id ?? "", parseBody(req, updateAccountBody)) });
    case "GET failures":
      return ok({ rules: sim.listFailureRules() });
    case "POST failures":
      return ok({ rule: sim.addFailureRule(parseBody(req, failureRuleBody)) }, 201);
    case "DELETE failures":
      sim.clearFailureRules();
      return ok({ ok: true });
    case "DELETE failures/:id":
      if (!sim.removeFailureRule(id ?? "")) throw new SimulatorError(404, `rule not found: ${id}`);
      return ok({ ok: true });
    case "GET requests":
      return ok({ requests: sim.listRequests(listFilter(req)) });
    case "GET messages":
      return ok({ messages: sim.listMessages(listFilter(req)) });
    case "GET messages/:id":
      return ok({ message: sim.getMessage(id ?? "") });
    case "GET webhooks":
      return ok({ deliveries: sim.listWebhookDeliveries(listFilter(req)) });
    case "POST events":
      return ok({ deliveries: await sim.triggerEvent(parseBody(req, eventBody)) });
    case "POST inbound":
      return ok({ delivery: await sim.triggerInbound(parseBody(req, inboundBody)) });
    case "GET auto-delivery":
      return ok({ enabled: sim.autoDelivery });
    case "PUT auto-delivery":
    case "POST auto-delivery":
      sim.setAutoDelivery(parseBody(req, autoDeliveryBody).enabled);
      return ok({ enabled: sim.autoDelivery });
    case "GET customerio/:id": {
      // A Customer.io account's workspace: people, objects, relationships (for out-of-process tests).
      const account = sim.getAccount(id ?? "");
      if (account.provider !== "customerio") throw new SimulatorError(400, `${id} is not a customerio account`);
      return ok(sim.state.customerio.workspace(account.id).snapshot());
    }
    case "POST flush":
      await sim.flush();
      return ok({ ok: true });
    case "POST reset":
      sim.reset(parseBody(req, resetBody));
      return ok({ ok: true });
    default:
      throw new SimulatorError(404, `no control route ${req.method} ${req.path}`);
  }
}
