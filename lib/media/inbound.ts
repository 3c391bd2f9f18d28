// Inbound media: a file that came with an inbound message, fetched from the provider with the
// config's credentials into Herald's storage and linked to the message. Runs in the job engine
// (`store-inbound-media`), never on the webhook request. A re-run finds its row by (message,
// provider media id) and either returns (ready) or downloads again into the same key.
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { getDb } from "@/db";
import { claimInboundMedia, updateMediaFrom } from "@/db/queries/media";
import type { EventData } from "@/lib/jobs/events";
import { logger } from "@/lib/logger";
import { ProviderSendError } from "@/lib/providers/adapter";
import { findConfigRecord, resolveCredentials } from "@/lib/providers/config-record";
import { providerModule } from "@/lib/providers/registry";
import { InspectStream, SizeLimitExceeded } from "./ingest";
import { claimedType, sniffContentType } from "./media-types";
import { mediaStorage } from "./storage/select";
import { objectKey } from "./storage/storage";
import { maxMediaBytes } from "./uses";
import { randomUUID } from "node:crypto";

type Input = EventData<"herald/inbound-media.received">;

export type InboundMediaOutcome = { status: "ready" | "failed"; mediaId: string; error?: string };

const DOWNLOAD_TIMEOUT_MS = 30_000;

async function claim(input: Input) {
  const { storage, settings } = mediaStorage();
  const id = randomUUID();
  return claimInboundMedia(getDb(), {
    id,
    tenantId: input.tenantId,
    status: "pending",
    source: "inbound",
    backend: storage.backend,
    storageKey: objectKey(settings.prefix, input.tenantId, id),
    filename: input.filename ?? null,
    declaredType: input.mimeType ?? null,
    messageId: input.messageId,
    configId: input.configId,
    providerMediaId: input.providerMediaId,
    createdByType: "system",
    createdById: null,
    createdByLabel: "inbound message",
  });
}

async function markFailed(tenantId: string, mediaId: string, error: string): Promise<InboundMediaOutcome> {
  await updateMediaFrom(getDb(), { tenantId, id: mediaId, from: ["pending"], values: { status: "failed", error: error.slice(0, 1000) } });
  return { status: "failed", mediaId, error };
}

export async function storeInboundMedia(input: Input): Promise<InboundMediaOutcome> {
  const row = await claim(input);
  if (row.status !== "pending") return { status: row.status, mediaId: row.id, ...(row.error ? { error: row.error } : {}) };
  const config = await findConfigRecord(input.tenantId, input.configId);
  if (!config) return markFailed(input.tenantId, row.id, "The provider config no longer exists");
  const download = providerModule(config.provider).adapter.inboundMedia;
  if (!download) return markFailed(input.tenantId, row.id, `${config.provider} has no inbound media`);

  const { storage } = mediaStorage();
  let got;
  try {
    got = await download.download(config as never, await resolveCredentials(config), input.providerMediaId, { timeoutMs: DOWNLOAD_TIMEOUT_MS });
  } catch (err) {
    // Gone for good (404, refused): record it; anything retryable goes back to the engine.
    if (err instanceof ProviderSendError && !err.retryable) return markFailed(input.tenantId, row.id, `${config.provider} ${err.httpStatus ?? err.code}: ${err.message}`);
    throw err;
  }
  const max = maxMediaBytes();
  const inspector = new InspectStream(max);
  const source = Readable.fromWeb(got.body as WebReadableStream<Uint8Array>);
  source.on("error", (err) => inspector.destroy(err));
  source.pipe(inspector);
  try {
    await storage.put(row.storageKey, inspector, { contentType: got.contentType ?? "application/octet-stream" });
  } catch (err) {
    source.destroy();
    if (err instanceof SizeLimitExceeded) return markFailed(input.tenantId, row.id, `The file is larger than ${max} bytes`);
    throw err;
  }
  const inspection = inspector.result();
  const contentType = await sniffContentType(inspection.head, claimedType(got.contentType ?? input.mimeType, input.filename));
  const done = await updateMediaFrom(getDb(), {
    tenantId: input.tenantId,
    id: row.id,
    from: ["pending"],
    values: { status: "ready", sizeBytes: inspection.size, sha256: inspection.sha256, contentType, completedAt: new Date(), error: null },
  });
  if (!done) logger.info({ mediaId: row.id }, "inbound media finished by another run");
  return { status: "ready", mediaId: row.id };
}

/** The workflow's last attempt failed: the media ends `failed` with the reason, visible on the message. */
export async function failInboundMedia(input: Input & { reason: string }): Promise<void> {
  const row = await claim(input);
  if (row.status === "pending") await markFailed(input.tenantId, row.id, input.reason);
}
