// The media API on both storage backends: a real S3-compatible server (s3rver, child process,
// temp dir) and the filesystem default. Streamed 50 MB upload with flat memory, the presigned
// flow, downloads, tenant isolation, limits by use, deletion and retention.
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { NextRequest } from "next/server";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, getDb } from "@/db";
import * as signedFile from "@/app/api/media/files/[token]/route";
import { createApiKey } from "@/lib/auth/api-keys";
import { mediaStorage } from "@/lib/media/storage/select";
import { purgeExpired } from "@/lib/retention/purge";
import { makeContext } from "@/lib/test/factories";
import { params, request } from "@/lib/test/http";
import { startS3Server, type S3TestServer } from "@/lib/test/s3-server";
import type { TenantContext } from "@/lib/tenancy/context";
import * as download from "./[id]/download/route";
import * as item from "./[id]/route";
import * as collection from "./route";
import * as complete from "./uploads/[id]/complete/route";
import * as uploads from "./uploads/route";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

// Live memory is what "never buffered" means: collect garbage while sampling, so dead part
// buffers waiting for a lazy GC do not count as held.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** A real 1×1 PNG, padded after IEND (viewers and sniffers stop there). */
const PNG = Buffer.concat([Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==", "base64"), randomBytes(2000)]);
const PDF = Buffer.concat([Buffer.from("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "latin1"), randomBytes(3000)]);
const WEBP = (size: number) => {
  const b = Buffer.concat([Buffer.from("RIFF"), Buffer.alloc(4), Buffer.from("WEBPVP8 "), randomBytes(size - 16)]);
  b.writeUInt32LE(size - 8, 4);
  return b;
};
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

let ctx: TenantContext;
let other: TenantContext;
let key: string;
let otherKey: string;
let s3: S3TestServer;
let fsDir: string;

beforeAll(async () => {
  [ctx, other, s3] = await Promise.all([makeContext("owner"), makeContext("owner"), startS3Server()]);
  key = (await createApiKey(ctx, { name: "m", scopes: ["media:read", "media:write"] })).key;
  otherKey = (await createApiKey(other, { name: "m", scopes: ["media:read", "media:write"] })).key;
  fsDir = mkdtempSync(path.join(tmpdir(), "herald-media-"));
});

afterAll(async () => {
  await s3.stop();
  rmSync(fsDir, { recursive: true, force: true });
  await closeDb();
});

type Handler = (req: NextRequest, p: { params: Promise<Record<string, string>> }) => Promise<Response>;

async function call(handler: Handler, pathname: string, init: Parameters<typeof request>[1] & { as?: string } = {}, p: Record<string, string> = {}) {
  const res = await handler(request(pathname, { key: init.as ?? key, ...init }), params(p));
  const body = Buffer.from(await res.arrayBuffer());
  const json = res.headers.get("content-type")?.includes("json") && body.length ? (JSON.parse(body.toString("utf8")) as Record<string, any>) : null;
  return { status: res.status, json, body, headers: res.headers };
}

/** A multipart body as a stream: the file part produced chunk by chunk, never whole. */
function multipart(file: { name?: string; type: string; chunks: () => AsyncGenerator<Buffer> }, fields: Record<string, string> = {}) {
  const boundary = `----t${randomBytes(8).toString("hex")}`;
  const head =
    Object.entries(fields).map(([k, v]) => `--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`).join("") +
    `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="${file.name ?? "f.bin"}"\r\ncontent-type: ${file.type}\r\n\r\n`;
  async function* all() {
    yield Buffer.from(head);
    yield* file.chunks();
    yield Buffer.from(`\r\n--${boundary}--\r\n`);
  }
  const it = all();
  const body = new ReadableStream<Uint8Array>({
    async pull(c) {
      const { done, value } = await it.next();
      if (done) c.close();
      else c.enqueue(value);
    },
  });
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

async function upload(file: { name?: string; type: string; bytes: Buffer } | { name?: string; type: string; chunks: () => AsyncGenerator<Buffer> }, opts: { query?: string; fields?: Record<string, string>; as?: string } = {}) {
  const chunks = "bytes" in file ? async function* () { yield file.bytes; } : file.chunks;
  const mp = multipart({ name: file.name, type: file.type, chunks }, opts.fields);
  const req = new NextRequest(new URL(`/api/v1/media${opts.query ?? ""}`, "http://localhost:3000"), {
    method: "POST",
    headers: { authorization: `Bearer ${opts.as ?? key}`, "content-type": mp.contentType },
    body: mp.body,
    duplex: "half",
  } as never);
  const res = await collection.POST(req, params({}));
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

/** The bytes behind a download: a redirect to S3, a JSON URL, or the streamed file. */
async function fetchDownload(id: string, as = key): Promise<Buffer> {
  const res = await call(download.GET as Handler, `/api/v1/media/${id}/download`, { as }, { id });
  if (res.status === 302) return Buffer.from(await (await fetch(res.headers.get("location")!)).arrayBuffer());
  expect(res.status).toBe(200);
  return res.body;
}

/** PUT to a presigned URL: S3's goes to s3rver, a Herald-signed one to the files route. */
async function putTo(url: string, bytes: Buffer): Promise<number> {
  const u = new URL(url);
  if (u.pathname.startsWith("/api/media/files/")) {
    const token = decodeURIComponent(u.pathname.split("/").pop()!);
    const res = await signedFile.PUT(new NextRequest(new URL(u.pathname, "http://localhost:3000"), { method: "PUT", body: new Uint8Array(bytes) }), params({ token }));
    return res.status;
  }
  return (await fetch(url, { method: "PUT", body: new Uint8Array(bytes) })).status;
}

const backends = [
  { name: "s3 (s3rver)", env: () => s3.env },
  { name: "filesystem", env: () => ({ HERALD_MEDIA_STORAGE: "filesystem", HERALD_MEDIA_DIR: fsDir }) },
];
const ENV_KEYS = ["HERALD_MEDIA_STORAGE", "HERALD_MEDIA_DIR", "HERALD_S3_ENDPOINT", "HERALD_S3_BUCKET", "HERALD_S3_REGION", "HERALD_S3_ACCESS_KEY_ID", "HERALD_S3_SECRET_ACCESS_KEY", "HERALD_S3_FORCE_PATH_STYLE"];

describe.each(backends)("media on $name", (backend) => {
  beforeAll(() => {
    for (const k of ENV_KEYS) delete process.env[k];
    Object.assign(process.env, backend.env());
  });

  it("streams a 50 MB upload into storage with memory flat", { timeout: 120_000 }, async () => {
    const total = 50 * 1024 * 1024;
    const chunk = randomBytes(256 * 1024);
    const hash = createHash("sha256");
    const pdfHead = Buffer.from("%PDF-1.4\n", "latin1");
    gc();
    const base = process.memoryUsage().rss;
    let peak = base;
    const sample = setInterval(() => {
      gc();
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 250);
    const res = await upload({
      name: "big.pdf",
      type: "application/pdf",
      async *chunks() {
        hash.update(pdfHead);
        yield pdfHead;
        for (let sent = pdfHead.length; sent < total; sent += chunk.length) {
          const part = chunk.subarray(0, Math.min(chunk.length, total - sent));
          hash.update(part);
          yield part;
        }
      },
    }).finally(() => clearInterval(sample));
    const growthMb = (peak - base) / 1024 / 1024;
    console.log(`[media ${backend.name}] 50 MB streamed upload: RSS grew ${growthMb.toFixed(1)} MB at peak`);
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ status: "ready", size: total, content_type: "application/pdf", sha256: hash.digest("hex"), filename: "big.pdf", source: "upload" });
    // A buffered upload would hold the 50 MB (and a copy) at once; streamed, a few parts at most.
    expect(growthMb).toBeLessThan(40);
    // The stored object is whole (the bytes themselves are compared on the smaller files below).
    const stored = await getDb().execute<{ storage_key: string }>(sql`select storage_key from media where id = ${res.json.id}`);
    expect(await mediaStorage().storage.head(stored[0]!.storage_key)).toEqual({ size: total });
  });

  it("takes a presigned upload: create, PUT, complete (size, type and hash read from the object)", async () => {
    const created = await call(uploads.POST as Handler, "/api/v1/media/uploads", { method: "POST", body: { filename: "logo.png", content_type: "image/png", size: PNG.length, use: "whatsapp_image" } });
    expect(created.status).toBe(201);
    expect(created.json!.media).toMatchObject({ status: "pending", source: "presigned", filename: "logo.png", use: "whatsapp_image" });
    const id = created.json!.media.id as string;
    // Completing before anything was uploaded says so.
    expect((await call(complete.POST as Handler, `/api/v1/media/uploads/${id}/complete`, { method: "POST" }, { id })).json!.error.code).toBe("MEDIA_UPLOAD_MISSING");
    expect(await putTo(created.json!.upload.url as string, PNG)).toBe(200);
    const [a, b] = await Promise.all([
      call(complete.POST as Handler, `/api/v1/media/uploads/${id}/complete`, { method: "POST" }, { id }),
      call(complete.POST as Handler, `/api/v1/media/uploads/${id}/complete`, { method: "POST" }, { id }),
    ]);
    for (const r of [a, b]) expect(r).toMatchObject({ status: 200, json: { id, status: "ready", content_type: "image/png", size: PNG.length, sha256: sha(PNG) } });
    expect(sha(await fetchDownload(id))).toBe(sha(PNG));
    const url = await call(download.GET as Handler, `/api/v1/media/${id}/download?as=url&disposition=inline`, {}, { id });
    expect(url.json).toMatchObject({ url: expect.stringMatching(/^http/), expires_at: expect.any(String) });
    // A completed upload's URL takes nothing more (Herald-signed URLs refuse; S3 URLs are single-object and the media is ready).
    if (new URL(created.json!.upload.url as string).pathname.startsWith("/api/media/files/")) expect(await putTo(created.json!.upload.url as string, PDF)).toBe(409);
  });

  it("refuses wrong types and sizes per use with 422 naming the limit", async () => {
    const pdfAsImage = await upload({ name: "x.pdf", type: "application/pdf", bytes: PDF }, { query: "?use=whatsapp_image" });
    expect(pdfAsImage.status).toBe(422);
    expect(pdfAsImage.json.error).toMatchObject({ code: "MEDIA_TYPE_NOT_ALLOWED", message: expect.stringContaining("image/jpeg, image/png") });
    // A PNG named .pdf is a PNG: the bytes decide, not the name or the declared type.
    expect((await upload({ name: "x.pdf", type: "application/pdf", bytes: PNG }, { fields: { use: "whatsapp_image" } })).json).toMatchObject({ content_type: "image/png" });
    const bigSticker = await upload({ name: "s.webp", type: "image/webp", bytes: WEBP(150_000) }, { query: "?use=whatsapp_sticker" });
    expect(bigSticker.status).toBe(422);
    expect(bigSticker.json.error).toMatchObject({ code: "MEDIA_TOO_LARGE", message: expect.stringContaining("100 KB") });
    expect(bigSticker.json.error.details[0]).toMatchObject({ limit_bytes: 100_000 });
    expect((await upload({ name: "s.webp", type: "image/webp", bytes: WEBP(50_000) }, { query: "?use=whatsapp_sticker" })).json).toMatchObject({ status: "ready", content_type: "image/webp" });

    const declaredTooBig = await call(uploads.POST as Handler, "/api/v1/media/uploads", { method: "POST", body: { filename: "v.mp4", size: 17_000_000, use: "whatsapp_video" } });
    expect(declaredTooBig).toMatchObject({ status: 422, json: { error: { code: "MEDIA_TOO_LARGE", message: expect.stringContaining("16 MB") } } });
    // The declared type lied: completion reads the bytes, refuses, deletes the object and keeps the upload open.
    const lied = await call(uploads.POST as Handler, "/api/v1/media/uploads", { method: "POST", body: { filename: "p.png", content_type: "image/png", use: "whatsapp_image" } });
    const id = lied.json!.media.id as string;
    expect(await putTo(lied.json!.upload.url as string, PDF)).toBe(200);
    const refused = await call(complete.POST as Handler, `/api/v1/media/uploads/${id}/complete`, { method: "POST" }, { id });
    expect(refused).toMatchObject({ status: 422, json: { error: { code: "MEDIA_TYPE_NOT_ALLOWED" } } });
    expect((await call(item.GET as Handler, `/api/v1/media/${id}`, {}, { id })).json).toMatchObject({ status: "pending" });
    expect(await putTo(lied.json!.upload.url as string, PNG)).toBe(200);
    expect((await call(complete.POST as Handler, `/api/v1/media/uploads/${id}/complete`, { method: "POST" }, { id })).json).toMatchObject({ status: "ready" });
    // Not multipart at all: 415.
    expect((await call(collection.POST as Handler, "/api/v1/media", { method: "POST", body: { file: "x" } })).status).toBe(415);
  });

  it("keeps tenants apart: another tenant's media is 404 by id, by download and by delete", async () => {
    const mine = (await upload({ name: "mine.png", type: "image/png", bytes: PNG })).json;
    const id = mine.id as string;
    for (const [handler, p, method] of [
      [item.GET, `/api/v1/media/${id}`, "GET"],
      [download.GET, `/api/v1/media/${id}/download`, "GET"],
      [item.DELETE, `/api/v1/media/${id}`, "DELETE"],
      [complete.POST, `/api/v1/media/uploads/${id}/complete`, "POST"],
    ] as const) {
      expect((await call(handler as Handler, p, { method, as: otherKey }, { id })).status).toBe(404);
    }
    const theirs = await call(collection.GET as Handler, "/api/v1/media?limit=200", { as: otherKey });
    expect((theirs.json!.data as { id: string }[]).map((m) => m.id)).not.toContain(id);
    // Still there for its owner.
    expect((await call(item.GET as Handler, `/api/v1/media/${id}`, {}, { id })).status).toBe(200);
  });

  it("lists newest first with a cursor, deletes (object and row) and purges expired media", async () => {
    const a = (await upload({ name: "a.png", type: "image/png", bytes: PNG })).json;
    const b = (await upload({ name: "b.png", type: "image/png", bytes: PNG }, { query: "?retention_days=1" })).json;
    const first = await call(collection.GET as Handler, "/api/v1/media?limit=1&q=.png");
    expect(first.json!.data[0].id).toBe(b.id);
    const second = await call(collection.GET as Handler, `/api/v1/media?limit=1&q=.png&cursor=${first.json!.next_cursor}`);
    expect(second.json!.data[0].id).toBe(a.id);

    const { storage } = mediaStorage();
    const keyOf = async (id: string) => (await getDb().execute<{ storage_key: string }>(sql`select storage_key from media where id = ${id}`))[0]!.storage_key;
    const aKey = await keyOf(a.id as string);
    expect((await call(item.DELETE as Handler, `/api/v1/media/${a.id}`, { method: "DELETE" }, { id: a.id as string })).status).toBe(204);
    expect((await call(item.GET as Handler, `/api/v1/media/${a.id}`, {}, { id: a.id as string })).status).toBe(404);
    expect(await storage.head(aKey)).toBeNull();

    const bKey = await keyOf(b.id as string);
    await getDb().execute(sql`update media set created_at = now() - interval '2 days' where id = ${b.id}`);
    await purgeExpired({ kind: "media", budgetMs: 10_000 });
    expect((await call(item.GET as Handler, `/api/v1/media/${b.id}`, {}, { id: b.id as string })).status).toBe(404);
    expect(await storage.head(bKey)).toBeNull();
    if (backend.name === "filesystem") expect((await readdir(path.join(fsDir, "t", ctx.tenantId))).some((f) => f.endsWith(".part"))).toBe(false);
  });
});
