// Request/response plumbing between node:http and the provider modules.
import type { IncomingHttpHeaders } from "node:http";
import type { ProviderName } from "./types";

export interface RequestMeta {
  provider: ProviderName | null;
  accountId: string | null;
  body: unknown;
  recipients: string[];
  idempotencyRef: string | null;
  messageIds: string[];
  failureRuleId: string | null;
}

export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  /** Objects are sent as JSON, strings as text/plain unless a content-type header is set; Buffers as they are. */
  body?: string | Buffer | object | null;
  /** Hold the connection this long, then destroy it without a response (timeout mode). */
  hangMs?: number;
}

export type FormFields = Map<string, string[]>;

/** A file part of a multipart body, as the simulator records it. */
export interface SimFile {
  field: string;
  filename: string;
  type: string;
  size: number;
  bytes: Buffer;
}

export class SimRequest {
  readonly path: string;
  readonly meta: RequestMeta = {
    provider: null,
    accountId: null,
    body: undefined,
    recipients: [],
    idempotencyRef: null,
    messageIds: [],
    failureRuleId: null,
  };

  constructor(
    readonly method: string,
    readonly url: URL,
    readonly headers: IncomingHttpHeaders,
    readonly rawBody: Buffer,
  ) {
    this.path = url.pathname;
  }

  header(name: string): string | undefined {
    const value = this.headers[name.toLowerCase()];
    return Array.isArray(value) ? value[0] : value;
  }

  get contentType(): string {
    return (this.header("content-type") ?? "").toLowerCase();
  }

  /** Parsed JSON, or undefined when the body is not valid JSON. */
  json(): unknown {
    try {
      return JSON.parse(this.rawBody.toString("utf8")) as unknown;
    } catch {
      return undefined;
    }
  }

  /** multipart/form-data or urlencoded fields; files are reduced to their names. */
  async form(): Promise<FormFields> {
    return (await this.multipart()).fields;
  }

  /** The fields (files reduced to their names) and the file parts with their bytes. */
  async multipart(): Promise<{ fields: FormFields; files: SimFile[] }> {
    const fields: FormFields = new Map();
    const files: SimFile[] = [];
    const type = this.header("content-type");
    if (!type || this.rawBody.length === 0) return { fields, files };
    const data = await new Request("http://sim.local/", {
      method: "POST",
      headers: { "content-type": type },
      body: new Uint8Array(this.rawBody),
    }).formData();
    for (const [name, value] of data.entries()) {
      if (typeof value !== "string") {
        const bytes = Buffer.from(await value.arrayBuffer());
        files.push({ field: name, filename: value.name, type: value.type, size: bytes.length, bytes });
      }
      const text = typeof value === "string" ? value : `[file ${value.name}]`;
      const list = fields.get(name);
      if (list) list.push(text);
      else fields.set(name, [text]);
    }
    return { fields, files };
  }

  basicAuth(): { user: string; pass: string } | null {
    const value = this.header("authorization");
    if (!value?.startsWith("Basic ")) return null;
    const decoded = Buffer.from(value.slice(6), "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) return null;
    return { user: decoded.slice(0, colon), pass: decoded.slice(colon + 1) };
  }

  /** The credential after `scheme ` (case-insensitive scheme). */
  authToken(scheme: string): string | null {
    const value = this.header("authorization");
    if (!value) return null;
    const space = value.indexOf(" ");
    if (space < 0 || value.slice(0, space).toLowerCase() !== scheme.toLowerCase()) return null;
    return value.slice(space + 1).trim();
  }
}

export function first(fields: FormFields, name: string): string | undefined {
  return fields.get(name)?.[0];
}

/** Form fields as a plain object for recording: single values flat, repeats as arrays. */
export function formToObject(fields: FormFields): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, values] of fields) out[name] = values.length === 1 ? (values[0] ?? "") : values;
  return out;
}

export function json(status: number, body: object, headers?: Record<string, string>): SimResponse {
  return { status, body, headers };
}

export function text(status: number, body: string, headers?: Record<string, string>): SimResponse {
  return { status, body, headers };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);
