// Unisender's JSON API as Herald calls it: POST /unisender/en/api/{method}?format=json with the
// api_key, form-encoded; errors are HTTP 200 with `{error, code}` like the real service. Keeps
// what each account ends up holding (contacts, their lists) for tests to assert.
import type { SimRequest, SimResponse } from "../http";
import { json } from "../http";

export interface UnisenderSimContact {
  email: string;
  phone: string | null;
  name: string | null;
  lists: Set<string>;
  /** Times the contact was written (import or subscribe), for order checks. */
  writes: number;
}

export interface UnisenderSimAccount {
  apiKey: string;
  lists: Set<string>;
  contacts: Map<string, UnisenderSimContact>;
  calls: { method: string; rows?: number }[];
  /** Answer the next n calls with this HTTP status. */
  failNext: { status: number; count: number } | null;
}

const MAX_IMPORT = 500;

export class UnisenderSim {
  private readonly accounts = new Map<string, UnisenderSimAccount>();

  constructor(private readonly origin: () => string) {}

  get baseUrl(): string {
    return `${this.origin()}/unisender/en/api`;
  }

  createAccount(input: { apiKey: string; lists: string[] }): UnisenderSimAccount {
    const a: UnisenderSimAccount = { apiKey: input.apiKey, lists: new Set(input.lists), contacts: new Map(), calls: [], failNext: null };
    this.accounts.set(input.apiKey, a);
    return a;
  }

  account(apiKey: string): UnisenderSimAccount {
    const a = this.accounts.get(apiKey);
    if (!a) throw new Error("no such Unisender account");
    return a;
  }

  /** Email → sorted list ids, for contacts on at least one list. */
  holding(apiKey: string, listId?: string): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const c of this.account(apiKey).contacts.values()) {
      if (c.lists.size === 0 || (listId && !c.lists.has(listId))) continue;
      out.set(c.email, [...c.lists].sort());
    }
    return out;
  }

  async handle(req: SimRequest): Promise<SimResponse | null> {
    const m = /^\/unisender\/en\/api\/([A-Za-z]+)$/.exec(req.path);
    if (!m) return null;
    const method = m[1]!;
    const fields = await req.form();
    const get = (name: string) => fields.get(name)?.[0] ?? req.url.searchParams.get(name) ?? undefined;
    const error = (message: string, code: string) => json(200, { error: message, code });
    const a = this.accounts.get(get("api_key") ?? "");
    if (!a) return error("AK100310-02 invalid api key", "invalid_api_key");
    if (a.failNext && a.failNext.count > 0) {
      a.failNext.count--;
      return { status: a.failNext.status, body: "Service temporarily unavailable" };
    }
    a.calls.push({ method });
    switch (method) {
      case "importContacts":
        return this.importContacts(a, fields, error);
      case "getContact": {
        const email = (get("email") ?? "").toLowerCase();
        const c = a.contacts.get(email);
        if (!c) return error(`Contact with email ${email} not found`, "object_not_found");
        return json(200, {
          result: {
            email: { email: c.email, status: "active", availability: "available" },
            ...(get("include_lists") === "1" ? { lists: [...c.lists].map((id) => ({ id: Number(id), status: "active" })) } : {}),
            ...(get("include_fields") === "1" ? { fields: { Name: c.name ?? "", phone: c.phone ?? "" } } : {}),
          },
        });
      }
      case "exclude": {
        const type = get("contact_type");
        const contact = (get("contact") ?? "").toLowerCase();
        if (type !== "email" && type !== "phone") return error("contact_type must be email or phone", "invalid_arg");
        const lists = (get("list_ids") ?? "").split(",").filter(Boolean);
        const c = type === "email" ? a.contacts.get(contact) : [...a.contacts.values()].find((x) => x.phone === contact);
        if (c) for (const id of lists.length ? lists : [...c.lists]) c.lists.delete(id);
        return json(200, { result: {} });
      }
      case "subscribe": {
        const email = (get("fields[email]") ?? "").toLowerCase();
        const lists = (get("list_ids") ?? "").split(",").filter(Boolean);
        if (!email) return error("fields[email] or fields[phone] is required", "invalid_arg");
        const unknown = lists.find((l) => !a.lists.has(l));
        if (unknown) return error(`List ${unknown} not found`, "invalid_arg");
        const c = this.upsert(a, email, { name: get("fields[Name]") ?? null, phone: get("fields[phone]") ?? null });
        for (const l of lists) c.lists.add(l);
        return json(200, { result: { person_id: Math.abs(hash(email)) } });
      }
      default:
        return error(`Unknown method ${method}`, "unknown_method");
    }
  }

  private upsert(a: UnisenderSimAccount, email: string, f: { name: string | null; phone: string | null }): UnisenderSimContact {
    let c = a.contacts.get(email);
    if (!c) {
      c = { email, phone: null, name: null, lists: new Set(), writes: 0 };
      a.contacts.set(email, c);
    }
    if (f.name !== null) c.name = f.name;
    if (f.phone !== null) c.phone = f.phone;
    c.writes++;
    return c;
  }

  private importContacts(a: UnisenderSimAccount, fields: Map<string, string[]>, error: (m: string, c: string) => SimResponse): SimResponse {
    const names: string[] = [];
    for (let i = 0; fields.has(`field_names[${i}]`); i++) names.push(fields.get(`field_names[${i}]`)![0]!);
    if (!names.includes("email") && !names.includes("phone")) return error("field_names must contain email or phone", "invalid_arg");
    const rows: string[][] = [];
    for (let r = 0; fields.has(`data[${r}][0]`); r++) rows.push(names.map((_, c) => fields.get(`data[${r}][${c}]`)?.[0] ?? ""));
    if (rows.length > MAX_IMPORT) return error(`Too many contacts: at most ${MAX_IMPORT} per call`, "too_many_contacts");
    a.calls[a.calls.length - 1]!.rows = rows.length;
    const col = (row: string[], name: string) => {
      const i = names.indexOf(name);
      return i < 0 ? undefined : row[i];
    };
    const result = { total: rows.length, inserted: 0, updated: 0, deleted: 0, new_emails: 0, invalid: 0, log: [] as { index: number; code: string; message: string }[] };
    rows.forEach((row, index) => {
      const email = (col(row, "email") ?? "").trim().toLowerCase();
      if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
        result.invalid++;
        result.log.push({ index, code: "invalid_email", message: `invalid email ${email}` });
        return;
      }
      if (col(row, "delete") === "1") {
        if (a.contacts.delete(email)) result.deleted++;
        return;
      }
      const existed = a.contacts.has(email);
      const c = this.upsert(a, email, { name: col(row, "Name") ?? null, phone: col(row, "phone") || null });
      for (const l of (col(row, "email_list_ids") ?? "").split(",").filter(Boolean)) c.lists.add(l);
      if (existed) result.updated++;
      else {
        result.inserted++;
        result.new_emails++;
      }
    });
    return json(200, { result });
  }
}

function hash(s: string): number {
  let h = 0;
  for (const ch of s) h = (h * 31 + ch.charCodeAt(0)) | 0;
  return h;
}
