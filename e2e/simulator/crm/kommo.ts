// Kommo (amoCRM) as Herald meets it: the OAuth consent and token endpoints (rotating refresh
// tokens, expiring access tokens, revocation), the v4 contacts list (HAL pages, 7 req/s) and the
// form-encoded webhooks Kommo posts. Served under /kommo: consent at /kommo/oauth, an account's
// API at /kommo/{subdomain}/….
import { createHmac, randomBytes } from "node:crypto";
import type { SimRequest, SimResponse } from "../http";
import { json } from "../http";

export interface KommoSimContact {
  id: number;
  name: string;
  emails: string[];
  phones: string[];
  updatedAt: number;
}

export interface KommoSimAccount {
  id: number;
  subdomain: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  contacts: Map<number, KommoSimContact>;
  nextContactId: number;
  /** Access token lifetime (Kommo: 24 h). */
  accessTtlSeconds: number;
  accessTokens: Map<string, number>;
  codes: Set<string>;
  /** The newest refresh token and whether it has been used; the previous one works until then. */
  refresh: { current: string | null; currentUsed: boolean; previous: string | null };
  revoked: boolean;
  /** Request times of the last second, for the 7 req/s limit. */
  window: number[];
  rateLimit: number;
  /** Answer n API calls with this status (429, 500 …), after letting `after` more through. */
  failNext: { status: number; count: number; after?: number } | null;
  refreshCount: number;
  /** Calls refused for a missing, expired or revoked grant (API and token endpoint). */
  rejectedCalls: number;
}

const token = (prefix: string) => `${prefix}_${randomBytes(18).toString("base64url")}`;

export class KommoSim {
  private readonly accounts = new Map<string, KommoSimAccount>();

  constructor(private readonly origin: () => string) {}

  createAccount(input: { subdomain: string; clientId?: string; clientSecret?: string; redirectUri?: string; accessTtlSeconds?: number; rateLimit?: number }): KommoSimAccount {
    const account: KommoSimAccount = {
      id: 30_000_000 + this.accounts.size + 1,
      subdomain: input.subdomain,
      clientId: input.clientId ?? randomBytes(16).toString("hex").replace(/(.{8})(.{4})(.{4})(.{4})(.{12})/, "$1-$2-$3-$4-$5"),
      clientSecret: input.clientSecret ?? token("ks"),
      redirectUri: input.redirectUri ?? "",
      contacts: new Map(),
      nextContactId: 1_000_001,
      accessTtlSeconds: input.accessTtlSeconds ?? 86_400,
      accessTokens: new Map(),
      codes: new Set(),
      refresh: { current: null, currentUsed: false, previous: null },
      revoked: false,
      window: [],
      rateLimit: input.rateLimit ?? 7,
      failNext: null,
      refreshCount: 0,
      rejectedCalls: 0,
    };
    this.accounts.set(input.subdomain, account);
    return account;
  }

  account(subdomain: string): KommoSimAccount {
    const a = this.accounts.get(subdomain);
    if (!a) throw new Error(`no Kommo account ${subdomain}`);
    return a;
  }

  /** The consent URL base Herald should redirect to, and the API base with its `{subdomain}` slot. */
  get oauthUrl(): string {
    return `${this.origin()}/kommo/oauth`;
  }
  get apiBaseTemplate(): string {
    return `${this.origin()}/kommo/{subdomain}`;
  }

  /** A new contact; `updatedAt` (unix seconds) backdates it. */
  addContact(subdomain: string, c: { name: string; emails?: string[]; phones?: string[]; updatedAt?: number }): KommoSimContact {
    const a = this.account(subdomain);
    const contact = { id: a.nextContactId++, name: c.name, emails: c.emails ?? [], phones: c.phones ?? [], updatedAt: c.updatedAt ?? Math.floor(Date.now() / 1000) };
    a.contacts.set(contact.id, contact);
    return contact;
  }

  updateContact(subdomain: string, id: number, patch: Partial<Omit<KommoSimContact, "id">>): KommoSimContact {
    const c = this.account(subdomain).contacts.get(id);
    if (!c) throw new Error(`no contact ${id}`);
    Object.assign(c, patch, { updatedAt: Math.floor(Date.now() / 1000) });
    return c;
  }

  deleteContact(subdomain: string, id: number): void {
    this.account(subdomain).contacts.delete(id);
  }

  /** A webhook body in Kommo's form format (legacy custom fields), several entities per delivery. */
  webhookBody(subdomain: string, changes: { action: "add" | "update" | "delete"; contact: KommoSimContact }[]): string {
    const a = this.account(subdomain);
    const form = new URLSearchParams();
    const counters = { add: 0, update: 0, delete: 0 };
    for (const { action, contact } of changes) {
      const p = `contacts[${action}][${counters[action]++}]`;
      form.append(`${p}[id]`, String(contact.id));
      if (action === "delete") continue;
      form.append(`${p}[name]`, contact.name);
      form.append(`${p}[last_modified]`, String(contact.updatedAt));
      form.append(`${p}[account_id]`, String(a.id));
      let f = 0;
      for (const [code, values, fieldId] of [["EMAIL", contact.emails, 101], ["PHONE", contact.phones, 100]] as const) {
        if (values.length === 0) continue;
        form.append(`${p}[custom_fields][${f}][id]`, String(fieldId));
        form.append(`${p}[custom_fields][${f}][name]`, code === "EMAIL" ? "Email" : "Phone");
        form.append(`${p}[custom_fields][${f}][code]`, code);
        values.forEach((v, i) => {
          form.append(`${p}[custom_fields][${f}][values][${i}][value]`, v);
          form.append(`${p}[custom_fields][${f}][values][${i}][enum]`, "WORK");
        });
        f++;
      }
    }
    form.append("account[subdomain]", subdomain);
    form.append("account[id]", String(a.id));
    form.append("account[_links][self]", `https://${subdomain}.kommo.com`);
    return form.toString();
  }

  /** Posts a webhook as Kommo does (form-encoded) and returns the answer's status. */
  async postWebhook(url: string, body: string): Promise<number> {
    const res = await fetch(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body });
    await res.arrayBuffer();
    return res.status;
  }

  /** Revokes the grant: every token stops working; the signed access-revoked hook goes to `hookUrl` if given. */
  async revoke(subdomain: string, hookUrl?: string): Promise<number | undefined> {
    const a = this.account(subdomain);
    a.revoked = true;
    if (!hookUrl) return undefined;
    const signature = createHmac("sha256", a.clientSecret).update(`${a.clientId}|${a.id}`).digest("hex");
    const url = new URL(hookUrl);
    url.searchParams.set("account_id", String(a.id));
    url.searchParams.set("client_uuid", a.clientId);
    url.searchParams.set("signature", signature);
    const res = await fetch(url, { method: "GET" });
    await res.arrayBuffer();
    return res.status;
  }

  async handle(req: SimRequest): Promise<SimResponse | null> {
    const parts = req.path.split("/").filter(Boolean); // ["kommo", …]
    if (parts[0] !== "kommo") return null;
    if (req.method === "GET" && parts[1] === "oauth" && parts.length === 2) return this.consent(req);
    const a = this.accounts.get(parts[1] ?? "");
    if (!a) return json(404, { title: "Not found", status: 404 });
    const rest = `/${parts.slice(2).join("/")}`;
    if (req.method === "POST" && rest === "/oauth2/access_token") return this.tokenEndpoint(a, req);
    if (req.method === "GET" && rest === "/api/v4/contacts") return this.listContacts(a, req);
    return json(404, { title: "Not found", status: 404 });
  }

  /** The consent page, already approved: straight back to the redirect URI with a code. */
  private consent(req: SimRequest): SimResponse {
    const clientId = req.url.searchParams.get("client_id");
    const a = [...this.accounts.values()].find((x) => x.clientId === clientId);
    if (!a) return json(400, { title: "Unknown client_id", status: 400 });
    const state = req.url.searchParams.get("state") ?? "";
    const code = token("code");
    a.codes.add(code);
    const to = new URL(a.redirectUri);
    to.searchParams.set("code", code);
    to.searchParams.set("state", state);
    to.searchParams.set("referer", `${a.subdomain}.kommo.com`);
    to.searchParams.set("client_id", a.clientId);
    return { status: 302, headers: { location: to.toString() } };
  }

  private issue(a: KommoSimAccount): SimResponse {
    const access = token("kat");
    const refresh = token("krt");
    a.accessTokens.set(access, Date.now() + a.accessTtlSeconds * 1000);
    a.refresh = { current: refresh, currentUsed: false, previous: a.refresh.current };
    return json(200, { token_type: "Bearer", expires_in: a.accessTtlSeconds, access_token: access, refresh_token: refresh, server_time: Math.floor(Date.now() / 1000) });
  }

  private tokenEndpoint(a: KommoSimAccount, req: SimRequest): SimResponse {
    const body = req.json() as Record<string, string> | undefined;
    const invalid = (hint: string) => json(400, { hint, title: "Invalid request", type: "https://developers.kommo.com/", status: 400 });
    if (!body || body.client_id !== a.clientId || body.client_secret !== a.clientSecret) return json(401, { title: "Unauthorized", status: 401, hint: "Client authentication failed" });
    if (a.revoked) {
      a.rejectedCalls++;
      return json(401, { title: "Unauthorized", status: 401, hint: "Token has been revoked" });
    }
    if (body.grant_type === "authorization_code") {
      if (!a.codes.delete(body.code ?? "")) return invalid("Authorization code has been revoked");
      if (body.redirect_uri !== a.redirectUri) return invalid("redirect_uri mismatch");
      return this.issue(a);
    }
    if (body.grant_type === "refresh_token") {
      const t = body.refresh_token;
      const r = a.refresh;
      // The newest works; the one before it too, until the newest has been used.
      const ok = t === r.current || (t === r.previous && !r.currentUsed && r.previous !== null);
      if (!ok || !t) return invalid("Token has been revoked");
      if (t === r.current) a.refresh.currentUsed = true;
      a.refreshCount++;
      const res = this.issue(a);
      // Using the older token again keeps the chain: its successor (just issued) is the newest.
      return res;
    }
    return invalid("Unsupported grant_type");
  }

  private listContacts(a: KommoSimAccount, req: SimRequest): SimResponse {
    const now = Date.now();
    a.window = a.window.filter((t) => now - t < 1000);
    if (a.window.length >= a.rateLimit) {
      a.rejectedCalls++;
      return json(429, { title: "Too Many Requests", status: 429 }, { "retry-after": "1" });
    }
    a.window.push(now);
    const bearer = req.authToken("Bearer");
    const expires = bearer ? a.accessTokens.get(bearer) : undefined;
    if (a.revoked || expires === undefined || expires < now) {
      a.rejectedCalls++;
      return json(401, { title: "Unauthorized", type: "https://httpstatus.es/401", status: 401, detail: a.revoked ? "Account access revoked" : "Token expired" });
    }
    if (a.failNext && (a.failNext.after ?? 0) > 0) a.failNext.after!--;
    else if (a.failNext && a.failNext.count > 0) {
      a.failNext.count--;
      return json(a.failNext.status, { title: "Server error", status: a.failNext.status });
    }
    const limit = Math.min(250, Math.max(1, Number(req.url.searchParams.get("limit") ?? 50)));
    const page = Math.max(1, Number(req.url.searchParams.get("page") ?? 1));
    const from = Number(req.url.searchParams.get("filter[updated_at][from]") ?? NaN);
    const all = [...a.contacts.values()].filter((c) => !Number.isFinite(from) || c.updatedAt >= from).sort((x, y) => x.id - y.id);
    const slice = all.slice((page - 1) * limit, page * limit);
    if (slice.length === 0) return { status: 204 };
    const base = `${this.origin()}/kommo/${a.subdomain}/api/v4/contacts`;
    const filter = Number.isFinite(from) ? `&filter[updated_at][from]=${from}` : "";
    const link = (p: number) => ({ href: `${base}?page=${p}&limit=${limit}${filter}` });
    const links: Record<string, { href: string }> = { self: link(page) };
    if (page * limit < all.length) links.next = link(page + 1);
    if (page > 1) links.prev = link(page - 1);
    return {
      status: 200,
      headers: { "content-type": "application/hal+json" },
      body: {
        _page: page,
        _links: links,
        _embedded: {
          contacts: slice.map((c) => ({
            id: c.id,
            name: c.name,
            updated_at: c.updatedAt,
            account_id: a.id,
            custom_fields_values: [
              ...(c.emails.length ? [{ field_id: 101, field_name: "Email", field_code: "EMAIL", field_type: "multitext", values: c.emails.map((value) => ({ value, enum_id: 1, enum_code: "WORK" })) }] : []),
              ...(c.phones.length ? [{ field_id: 100, field_name: "Phone", field_code: "PHONE", field_type: "multitext", values: c.phones.map((value) => ({ value, enum_id: 2, enum_code: "WORK" })) }] : []),
            ],
            _links: { self: { href: `${this.origin()}/kommo/${a.subdomain}/api/v4/contacts/${c.id}` } },
          })),
        },
      },
    };
  }
}
