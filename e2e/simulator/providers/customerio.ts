// Customer.io Track API v1 and v2: Basic auth site_id:api_key, the US and EU hosts (as the first
// path segment, or the Host header), the v2 batch shape and its limits with per-operation
// errors (207), 429 with Retry-After and the other injected failures. What the calls do lands
// in the account's workspace (customerio-state.ts).
import { randomUUID } from "node:crypto";
import { isRecord, json, type SimRequest, type SimResponse } from "../http";
import { alnum, hex } from "../ids";
import { injectFailure, type ErrorShapes, type ProviderModule, type SimContext } from "../provider";
import type { AccountBase } from "../types";

export interface CustomerioAccount extends AccountBase {
  provider: "customerio";
  siteId: string;
  apiKey: string;
  region: "us" | "eu";
}

const HOSTS = { us: "track.customer.io", eu: "track-eu.customer.io" } as const;
const LIMITS = { batch: 500 * 1024, op: 32 * 1024, id: 150, attrName: 150, attrValue: 1000 };
const PATH = /^(?:\/(track\.customer\.io|track-eu\.customer\.io))?\/api\/(v1|v2)\/(.+)$/;

const meta = (status: number, message: string) => json(status, { meta: { error: message } });

const errors: ErrorShapes = {
  auth: () => meta(401, "Unauthorized request"),
  rateLimit: () => meta(429, "Too Many Requests"),
  serverError: (status) => meta(status, "Internal Server Error"),
  invalidRecipient: (recipient) => json(400, { errors: [{ reason: "invalid", field: "identifiers", message: `identifier ${recipient} is not valid` }] }),
};

interface OpError {
  reason: string;
  field: string;
  message: string;
}

function hostOf(req: SimRequest): string | null {
  const fromPath = PATH.exec(req.path)?.[1];
  if (fromPath) return fromPath;
  const host = (req.header("host") ?? "").split(":")[0]!.toLowerCase();
  return host === HOSTS.us || host === HOSTS.eu ? host : null;
}

/** Authenticates and applies the region: an account called on the other region's host is redirected there. */
function authenticate(req: SimRequest, ctx: SimContext): { account: CustomerioAccount } | { response: SimResponse } {
  const creds = req.basicAuth();
  const account = creds ? ctx.state.findAccount("customerio", (a) => a.siteId === creds.user && a.apiKey === creds.pass) : undefined;
  if (!account) return { response: errors.auth() };
  req.meta.accountId = account.id;
  const host = hostOf(req);
  if (host && host !== HOSTS[account.region]) {
    const rest = PATH.exec(req.path)!;
    return { response: { status: 307, headers: { location: `https://${HOSTS[account.region]}/api/${rest[2]}/${rest[3]}` }, body: meta(307, "wrong region").body } };
  }
  ctx.state.customerio.workspace(account.id).countRequest();
  return { account };
}

const bytes = (v: unknown) => Buffer.byteLength(typeof v === "string" ? v : JSON.stringify(v));

/** Validates one v2 operation; null when it may be applied. */
function validate(op: unknown): OpError | null {
  if (!isRecord(op)) return { reason: "invalid", field: "", message: "operation must be an object" };
  if (bytes(op) > LIMITS.op) return { reason: "too_large", field: "", message: `operation exceeds ${LIMITS.op} bytes` };
  const ids = op.identifiers;
  if (!isRecord(ids)) return { reason: "required", field: "identifiers", message: "identifiers are required" };
  if (op.type === "person") {
    const id = ids.id ?? ids.email ?? ids.cio_id;
    if (typeof id !== "string" || !id) return { reason: "required", field: "identifiers", message: "a person needs an id, email or cio_id" };
    if (bytes(id) > LIMITS.id) return { reason: "too_long", field: "identifiers.id", message: `id exceeds ${LIMITS.id} bytes` };
    if (!["identify", "delete", "add_relationships", "delete_relationships"].includes(String(op.action))) return { reason: "invalid", field: "action", message: `unknown action ${String(op.action)}` };
  } else if (op.type === "object") {
    if (typeof ids.object_type_id !== "string" || typeof ids.object_id !== "string") return { reason: "required", field: "identifiers", message: "an object needs object_type_id and object_id" };
    if (bytes(ids.object_id) > LIMITS.id) return { reason: "too_long", field: "identifiers.object_id", message: `object_id exceeds ${LIMITS.id} bytes` };
    if (!["identify", "delete", "add_relationships", "delete_relationships"].includes(String(op.action))) return { reason: "invalid", field: "action", message: `unknown action ${String(op.action)}` };
  } else {
    return { reason: "invalid", field: "type", message: `unsupported type ${String(op.type)}` };
  }
  if (op.attributes !== undefined) {
    if (!isRecord(op.attributes)) return { reason: "invalid", field: "attributes", message: "attributes must be an object" };
    for (const [k, v] of Object.entries(op.attributes)) {
      if (bytes(k) > LIMITS.attrName) return { reason: "too_long", field: `attributes.${k.slice(0, 20)}`, message: `attribute name exceeds ${LIMITS.attrName} bytes` };
      if (v !== null && bytes(v) > LIMITS.attrValue) return { reason: "too_long", field: `attributes.${k}`, message: `attribute value exceeds ${LIMITS.attrValue} bytes` };
    }
  }
  if (op.cio_relationships !== undefined && !Array.isArray(op.cio_relationships)) return { reason: "invalid", field: "cio_relationships", message: "cio_relationships must be an array" };
  return null;
}

function recipientOf(op: unknown): string {
  if (!isRecord(op) || !isRecord(op.identifiers)) return "";
  const ids = op.identifiers;
  return String(ids.id ?? ids.email ?? ids.cio_id ?? ids.object_id ?? "");
}

function relations(op: Record<string, unknown>): { identifiers: Record<string, unknown>; attributes: Record<string, unknown> }[] {
  const list = Array.isArray(op.cio_relationships) ? op.cio_relationships : [];
  return list.filter(isRecord).flatMap((r) =>
    isRecord(r.identifiers) ? [{ identifiers: r.identifiers, attributes: isRecord(r.relationship_attributes) ? r.relationship_attributes : {} }] : [],
  );
}

function apply(ctx: SimContext, account: CustomerioAccount, op: Record<string, unknown>): void {
  const w = ctx.state.customerio.workspace(account.id);
  w.operations += 1;
  const ids = op.identifiers as Record<string, string>;
  const attrs = isRecord(op.attributes) ? op.attributes : {};
  if (op.type === "person") {
    const id = ids.id ?? ids.email ?? ids.cio_id!;
    if (op.action === "delete") return w.deletePerson(id);
    if (op.action === "identify") w.identifyPerson(id, attrs);
    for (const r of relations(op)) {
      const t = String(r.identifiers.object_type_id ?? "");
      const o = String(r.identifiers.object_id ?? "");
      if (op.action === "delete_relationships") w.unrelate(id, t, o);
      else w.relate(id, t, o, r.attributes);
    }
    return;
  }
  const typeId = ids.object_type_id!;
  const objectId = ids.object_id!;
  if (op.action === "delete") return w.deleteObject(typeId, objectId);
  if (op.action === "identify") w.identifyObject(typeId, objectId, attrs);
  for (const r of relations(op)) {
    const pid = String(r.identifiers.id ?? r.identifiers.email ?? r.identifiers.cio_id ?? "");
    if (op.action === "delete_relationships") w.unrelate(pid, typeId, objectId);
    else w.relate(pid, typeId, objectId, r.attributes);
  }
}

async function batch(req: SimRequest, ctx: SimContext): Promise<SimResponse> {
  const auth = authenticate(req, ctx);
  if ("response" in auth) return auth.response;
  const body = req.json();
  req.meta.body = body;
  if (req.rawBody.length > LIMITS.batch) return json(413, { errors: [{ reason: "too_large", field: "batch", message: `batch exceeds ${LIMITS.batch} bytes` }] });
  if (!isRecord(body) || !Array.isArray(body.batch)) return json(400, { errors: [{ reason: "invalid", field: "batch", message: "body must be {\"batch\": [...]}" }] });
  const recipients = body.batch.map(recipientOf);
  req.meta.recipients = recipients;
  // Request-wide failures (429, 5xx, timeout, 401) first; invalid_recipient rules are per operation below.
  const whole = injectFailure(req, ctx, errors, recipients);
  if (whole && whole.hit.rule.mode !== "invalid_recipient") return whole.response;
  const refused: (OpError & { batch_index: number })[] = [];
  body.batch.forEach((op, i) => {
    const invalid = validate(op) ?? (whole && whole.hit.recipients.includes(recipients[i]!) ? { reason: "invalid", field: "identifiers", message: `identifier ${recipients[i]} is not valid` } : null);
    if (invalid) refused.push({ batch_index: i, ...invalid });
    else apply(ctx, auth.account, op as Record<string, unknown>);
  });
  return refused.length ? json(207, { errors: refused }) : json(200, {});
}

async function entity(req: SimRequest, ctx: SimContext): Promise<SimResponse> {
  const auth = authenticate(req, ctx);
  if ("response" in auth) return auth.response;
  const op = req.json();
  req.meta.body = op;
  const recipient = recipientOf(op);
  req.meta.recipients = [recipient];
  const failure = injectFailure(req, ctx, errors, [recipient]);
  if (failure && failure.hit.rule.mode !== "invalid_recipient") return failure.response;
  const invalid = validate(op) ?? (failure ? { reason: "invalid", field: "identifiers", message: `identifier ${recipient} is not valid` } : null);
  if (invalid) return json(400, { errors: [invalid] });
  apply(ctx, auth.account, op as Record<string, unknown>);
  return json(200, {});
}

async function v1Customer(req: SimRequest, ctx: SimContext, id: string): Promise<SimResponse> {
  const auth = authenticate(req, ctx);
  if ("response" in auth) return auth.response;
  req.meta.recipients = [id];
  const failure = injectFailure(req, ctx, errors, [id]);
  if (failure) return failure.response;
  if (Buffer.byteLength(id) > LIMITS.id) return meta(400, "id too long");
  const w = ctx.state.customerio.workspace(auth.account.id);
  if (req.method === "DELETE") {
    w.deletePerson(id);
    return json(200, {});
  }
  const body = req.json();
  req.meta.body = body;
  if (!isRecord(body)) return meta(400, "invalid JSON");
  w.identifyPerson(id, body);
  return json(200, {});
}

async function region(req: SimRequest, ctx: SimContext): Promise<SimResponse> {
  const creds = req.basicAuth();
  const account = creds ? ctx.state.findAccount("customerio", (a) => a.siteId === creds.user && a.apiKey === creds.pass) : undefined;
  if (!account) return errors.auth();
  req.meta.accountId = account.id;
  return json(200, { url: `https://${HOSTS[account.region]}`, region: account.region, environment_id: 1 });
}

export const customerio: ProviderModule<CustomerioAccount> = {
  name: "customerio",
  buildAccount: (base, c) => ({
    account: { ...base, provider: "customerio", siteId: c.siteId ?? hex(10), apiKey: c.apiKey ?? alnum(20).toLowerCase(), region: c.region === "eu" ? "eu" : "us" },
  }),
  credentialCheck(method, path) {
    const m = PATH.exec(path);
    return method === "GET" && m?.[2] === "v1" && m[3] === "accounts/region" ? region : null;
  },
  errors,
  route(method, path) {
    const m = PATH.exec(path);
    if (!m) return null;
    const [, , version, rest] = m;
    if (version === "v2" && method === "POST" && rest === "batch") return batch;
    if (version === "v2" && method === "POST" && rest === "entity") return entity;
    const customer = /^customers\/([^/]+)$/.exec(rest!);
    if (version === "v1" && customer && (method === "PUT" || method === "DELETE")) return (req, ctx) => v1Customer(req, ctx, decodeURIComponent(customer[1]!));
    return null;
  },
  heraldConfig: {
    forAccount: (a, simUrl) => ({ region: a.region, site_id: a.siteId, api_key: a.apiKey, api_base_url: simUrl }),
    sample: () => ({ region: "us", site_id: randomUUID().slice(0, 20), api_key: "key" }),
  },
};
