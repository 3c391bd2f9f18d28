// Media in sends and inbound, end to end: send API → outbox → pg-boss → provider simulator (HTTP),
// and simulator webhook → Herald → store-inbound-media workflow → storage. WhatsApp and inbound
// run on the filesystem backend, email attachments on a real S3-compatible server (s3rver).
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as sendPost } from "@/app/api/v1/messages/route";
import { closeDb, getDb } from "@/db";
import type { Media } from "@/db/schema/media";
import { messages } from "@/db/schema";
import { startSimulator, type Simulator } from "@/e2e/simulator/server";
import { workflows } from "@/inngest/workflows";
import { createApiKey } from "@/lib/auth/api-keys";
import { startJobEngine, stopJobEngine } from "@/lib/jobs/job-engine";
import { getMessage } from "@/lib/messaging/messages";
import { makeSimConfig } from "@/lib/test/delivery";
import { makeContext, waitFor } from "@/lib/test/factories";
import { params, request } from "@/lib/test/http";
import { startS3Server, type S3TestServer } from "@/lib/test/s3-server";
import { startWebhookBridge } from "@/lib/test/webhook-bridge";
import type { TenantContext } from "@/lib/tenancy/context";
import { downloadMedia, storeUpload } from "./media";
import { admitSendMedia } from "./send-media";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
process.env.HERALD_DELIVERY_BACKOFF_MS = "50";

const PNG = Buffer.concat([Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==", "base64"), randomBytes(1500)]);
const PDF = Buffer.concat([Buffer.from("%PDF-1.4\n", "latin1"), randomBytes(4000)]);
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const ENV_KEYS = ["HERALD_MEDIA_STORAGE", "HERALD_MEDIA_DIR", "HERALD_S3_ENDPOINT", "HERALD_S3_BUCKET", "HERALD_S3_REGION", "HERALD_S3_ACCESS_KEY_ID", "HERALD_S3_SECRET_ACCESS_KEY", "HERALD_S3_FORCE_PATH_STYLE"];
const previousPublicUrl = process.env.HERALD_PUBLIC_URL;

let sim: Simulator;
let bridge: Awaited<ReturnType<typeof startWebhookBridge>>;
let s3: S3TestServer;
let fsDir: string;

function useStorage(env: Record<string, string>) {
  for (const k of ENV_KEYS) delete process.env[k];
  Object.assign(process.env, env);
}

beforeAll(async () => {
  [sim, bridge, s3] = await Promise.all([startSimulator({ webhookDelayMs: 5, seed: 3 }), startWebhookBridge(), startS3Server()]);
  process.env.HERALD_PUBLIC_URL = bridge.url;
  fsDir = mkdtempSync(path.join(tmpdir(), "herald-media-sends-"));
  await startJobEngine({ workflows, runWorkers: true });
});

afterAll(async () => {
  await stopJobEngine();
  process.env.HERALD_PUBLIC_URL = previousPublicUrl;
  await Promise.all([sim.close(), bridge.close(), s3.stop()]);
  rmSync(fsDir, { recursive: true, force: true });
  await closeDb();
});

async function tenant() {
  const ctx = await makeContext("owner");
  const { key } = await createApiKey(ctx, { name: "t", scopes: ["messages:send", "messages:read", "media:read", "media:write"] });
  return { ctx, key };
}

const stored = (ctx: TenantContext, bytes: Buffer, filename: string, type: string) =>
  storeUpload(ctx, { stream: Readable.from([bytes]), filename, declaredType: type }, {});

async function send(key: string, body: Record<string, unknown>) {
  const res = await sendPost(request("/api/v1/messages", { method: "POST", key, body }), params({}));
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

async function terminal(tenantId: string, id: string) {
  return waitFor(async () => {
    const [m] = await getDb().select().from(messages).where(and(eq(messages.tenantId, tenantId), eq(messages.id, id)));
    return m && (m.status === "sent" || m.status === "failed" || m.status === "delivered") ? m : undefined;
  }, 30_000, 50);
}

async function bytesOf(ctx: TenantContext, id: string): Promise<Buffer> {
  const answer = await downloadMedia(ctx, id, { as: "file", disposition: "attachment" });
  if (answer.kind === "stream") {
    const chunks: Buffer[] = [];
    for await (const c of answer.body) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }
  if (answer.kind !== "redirect") throw new Error("expected bytes or a redirect");
  return Buffer.from(await (await fetch(answer.url)).arrayBuffer());
}

describe("WhatsApp media sends (filesystem backend)", () => {
  beforeAll(() => useStorage({ HERALD_MEDIA_STORAGE: "filesystem", HERALD_MEDIA_DIR: fsDir }));

  it("uploads a stored image to /{phone-number-id}/media once, sends its WhatsApp id, and uploads again after the 30-day lifetime", async () => {
    const { ctx, key } = await tenant();
    const { config, account } = await makeSimConfig(ctx, sim, "whatsapp");
    const phone = (account as { phoneNumberId: string }).phoneNumberId;
    const image = await stored(ctx, PNG, "logo.png", "image/png");
    const first = await send(key, { channel: "whatsapp", to: "+46701234567", media: { type: "image", media_id: image.id, caption: "Our logo" } });
    expect(first.status).toBe(202);
    expect((await terminal(ctx.tenantId, first.json.id as string)).status).not.toBe("failed");

    const calls = () => sim.listRequests({ accountId: account.id }).filter((r) => r.method === "POST");
    const uploads = () => calls().filter((r) => r.path === `/v18.0/${phone}/media`);
    expect(uploads()).toHaveLength(1);
    expect(uploads()[0]!.body).toMatchObject({ messaging_product: "whatsapp", type: "image/png", file: { filename: "logo.png", type: "image/png", size: PNG.length } });
    const uploadedId = (sim.state.whatsappMedia.keys().next().value ? [...sim.state.whatsappMedia.entries()].find(([, m]) => m.accountId === account.id)![0] : "") as string;
    expect(sim.state.whatsappMedia.get(uploadedId)!.sha256).toBe(sha(PNG));
    const sentBody = calls().find((r) => r.path === `/v18.0/${phone}/messages`)!.body;
    expect(sentBody).toMatchObject({ type: "image", image: { id: uploadedId, caption: "Our logo" } });

    // Within the lifetime: the remembered id, no second upload.
    const second = await send(key, { channel: "whatsapp", to: "+46701234568", media: { type: "image", media_id: image.id } });
    await terminal(ctx.tenantId, second.json.id as string);
    expect(uploads()).toHaveLength(1);
    // Past the 30 days: uploaded again.
    await getDb().execute(sql`update media_provider_uploads set uploaded_at = now() - interval '31 days', expires_at = now() - interval '1 day' where config_id = ${config.id}`);
    const third = await send(key, { channel: "whatsapp", to: "+46701234569", media: { type: "image", media_id: image.id } });
    expect((await terminal(ctx.tenantId, third.json.id as string)).status).not.toBe("failed");
    expect(uploads()).toHaveLength(2);

    // A document by link goes as a link, with its file name.
    const doc = await send(key, { channel: "whatsapp", to: "+46701234560", media: { type: "document", link: "https://example.com/a.pdf", filename: "a.pdf", caption: "Terms" } });
    await terminal(ctx.tenantId, doc.json.id as string);
    expect(calls().at(-1)!.body).toMatchObject({ type: "document", document: { link: "https://example.com/a.pdf", filename: "a.pdf", caption: "Terms" } });
  });

  it("refuses before accepting: a type or size WhatsApp does not take for that kind, and another tenant's media", async () => {
    const { ctx, key } = await tenant();
    await makeSimConfig(ctx, sim, "whatsapp");
    const pdf = await stored(ctx, PDF, "terms.pdf", "application/pdf");
    const asImage = await send(key, { channel: "whatsapp", to: "+46701234567", media: { type: "image", media_id: pdf.id } });
    expect(asImage).toMatchObject({ status: 422, json: { error: { code: "MEDIA_TYPE_NOT_ALLOWED", details: [{ path: "media.media_id" }] } } });
    const webp = Buffer.concat([Buffer.from("RIFF"), Buffer.alloc(4), Buffer.from("WEBPVP8 "), randomBytes(150_000)]);
    webp.writeUInt32LE(webp.length - 8, 4);
    const sticker = await stored(ctx, webp, "big.webp", "image/webp");
    const big = await send(key, { channel: "whatsapp", to: "+46701234567", media: { type: "sticker", media_id: sticker.id } });
    expect(big).toMatchObject({ status: 422, json: { error: { code: "MEDIA_TOO_LARGE", message: expect.stringContaining("100 KB") } } });
    const stranger = await tenant();
    const theirs = await stored(stranger.ctx, PNG, "x.png", "image/png");
    expect(await send(key, { channel: "whatsapp", to: "+46701234567", media: { type: "image", media_id: theirs.id } })).toMatchObject({ status: 422, json: { error: { code: "MEDIA_NOT_FOUND" } } });
    // Nothing was accepted.
    expect(await getDb().select().from(messages).where(eq(messages.tenantId, ctx.tenantId))).toHaveLength(0);
  });

  it("stores an inbound WhatsApp image in the job engine, linked to the message and downloadable", async () => {
    const { ctx } = await tenant();
    const { config, account } = await makeSimConfig(ctx, sim, "whatsapp");
    sim.updateAccount(account.id, { webhookUrl: `${bridge.url}/api/webhooks/whatsapp/${config.id}` });
    const photo = Buffer.concat([PNG, randomBytes(3000)]);
    await sim.triggerInbound({ accountId: account.id, from: "+46705550001", text: "Look", media: { type: "image", mimeType: "image/png", contentBase64: photo.toString("base64") } });
    const inbound = await waitFor(async () => (await getDb().select().from(messages).where(and(eq(messages.tenantId, ctx.tenantId), eq(messages.direction, "inbound"))))[0]);
    expect(inbound.payload).toMatchObject({ body: "Look", media: { type: "image", mime_type: "image/png" } });
    const detail = await waitFor(async () => {
      const d = await getMessage(ctx, inbound.id);
      return d.media[0]?.status === "ready" ? d : undefined;
    }, 30_000);
    expect(detail.media[0]).toMatchObject({ source: "inbound", content_type: "image/png", size: photo.length, sha256: sha(photo), message_id: inbound.id });
    expect(sha(await bytesOf(ctx, detail.media[0]!.id))).toBe(sha(photo));
  });
});

describe("email attachments (S3 backend)", () => {
  beforeAll(() => useStorage(s3.env));

  it("push: a stored image reaches FCM as a signed URL that serves the stored bytes", async () => {
    const { ctx, key } = await tenant();
    const { account } = await makeSimConfig(ctx, sim, "fcm");
    const png = await stored(ctx, PNG, "banner.png", "image/png");
    const res = await send(key, { channel: "push", target: { device_token: "media-token-1", platform: "android" }, title: "Match day", image_media_id: png.id });
    expect(res.status).toBe(202);
    const done = await terminal(ctx.tenantId, res.json.id as string);
    expect(done.status).not.toBe("failed");
    const call = sim.listRequests({ accountId: account.id }).find((r) => r.method === "POST" && r.path.endsWith("/messages:send"));
    const image = (call!.body as { message: { notification: { image?: string } } }).message.notification.image;
    expect(image).toMatch(/^https?:\/\//);
    // Signed: the bucket is private, the device gets a URL that carries its own authorisation.
    expect(image).toContain("X-Amz-Signature=");
    const fetched = await fetch(image!);
    expect(fetched.status).toBe(200);
    expect(Buffer.from(await fetched.arrayBuffer()).equals(PNG)).toBe(true);
  });

  for (const provider of ["sendgrid", "mailgun"] as const) {
    it(`${provider}: two attachments (one an inline image) reach the provider as the stored bytes`, async () => {
      const { ctx, key } = await tenant();
      const { account } = await makeSimConfig(ctx, sim, provider);
      const [pdf, png] = await Promise.all([stored(ctx, PDF, "terms.pdf", "application/pdf"), stored(ctx, PNG, "logo.png", "image/png")]);
      const res = await send(key, {
        channel: "email",
        to: [{ email: "ada@example.com" }],
        subject: "Welcome",
        body_html: '<p>Hi <img src="cid:logo"></p>',
        attachments: [{ media_id: pdf.id }, { media_id: png.id, disposition: "inline", content_id: "logo" }],
      });
      expect(res.status).toBe(202);
      const done = await terminal(ctx.tenantId, res.json.id as string);
      expect(done.errorMessage ?? "").toBe("");
      expect(done.status).not.toBe("failed");
      const [message] = sim.listMessages({ accountId: account.id });
      const parts = message!.meta.attachments as Record<string, string>[];
      expect(parts).toHaveLength(2);
      const pdfPart = parts.find((p) => p.filename === "terms.pdf")!;
      expect(Buffer.from(pdfPart.content!, "base64").equals(PDF)).toBe(true);
      expect(pdfPart.type).toBe("application/pdf");
      const inline = parts.find((p) => p !== pdfPart)!;
      expect(Buffer.from(inline.content!, "base64").equals(PNG)).toBe(true);
      if (provider === "sendgrid") expect(inline).toMatchObject({ disposition: "inline", content_id: "logo", type: "image/png" });
      else expect(inline).toMatchObject({ field: "inline", filename: "logo" });
      // The message detail lists the files it sends.
      expect((await getMessage(ctx, res.json.id as string)).media.map((m) => m.id).sort()).toEqual([pdf.id, png.id].sort());
    });
  }

  it("checks the whole message against each provider's limit before accepting: hops that cannot carry it leave the route", () => {
    const row = (id: string, size: number) => [id, { id, status: "ready", sizeBytes: size, contentType: "application/pdf" } as Media] as const;
    const input = { channel: "email" as const, payload: { subject: "s", body_text: "b", attachments: [{ media_id: "a" }, { media_id: "b" }] } };
    const hops = [
      { configId: "c1", provider: "sendgrid" },
      { configId: "c2", provider: "mailgun" },
    ];
    // 20 MB of files is 26.7 MB base64: under SendGrid's 30 MB, over Mailgun's 25 MB.
    expect(admitSendMedia(input, hops, new Map([row("a", 10_000_000), row("b", 10_000_000)]))).toEqual([hops[0]]);
    // 24 MB is 32 MB encoded: no email provider takes it, and the 422 names the limit.
    expect(() => admitSendMedia(input, hops, new Map([row("a", 12_000_000), row("b", 12_000_000)]))).toThrow(/under 30 MB including attachments/);
  });
});
