// Which storage backend this deployment uses, chosen by environment (README → Media).
import path from "node:path";
import { dataDir } from "@/lib/server/local-state";
import { createFilesystemStorage } from "./filesystem";
import { createS3Storage } from "./s3";
import type { MediaStorage } from "./storage";

export interface StorageSettings {
  backend: "s3" | "filesystem";
  /** Filesystem: the directory objects live under. */
  dir: string;
  s3: {
    endpoint?: string;
    region: string;
    bucket: string;
    accessKeyId?: string;
    secretAccessKey?: string;
    forcePathStyle: boolean;
  };
  /** Prepended to every object key (S3: share a bucket with other data). */
  prefix: string;
}

export function storageSettings(env: NodeJS.ProcessEnv = process.env): StorageSettings {
  const bucket = env.HERALD_S3_BUCKET?.trim() ?? "";
  const chosen = env.HERALD_MEDIA_STORAGE?.trim().toLowerCase();
  const backend = chosen === "s3" || chosen === "filesystem" ? chosen : bucket ? "s3" : "filesystem";
  if (backend === "s3" && !bucket) throw new Error("HERALD_MEDIA_STORAGE=s3 needs HERALD_S3_BUCKET");
  const endpoint = env.HERALD_S3_ENDPOINT?.trim() || undefined;
  const pathStyle = env.HERALD_S3_FORCE_PATH_STYLE?.trim().toLowerCase();
  const prefix = (env.HERALD_S3_PREFIX?.trim() ?? "").replace(/^\/+/, "");
  if (prefix && !/^([A-Za-z0-9._-]+\/)+$/.test(prefix)) throw new Error("HERALD_S3_PREFIX is path segments ending in / (e.g. herald/)");
  return {
    backend,
    dir: path.resolve(env.HERALD_MEDIA_DIR?.trim() || path.join(dataDir(), "media")),
    s3: {
      endpoint,
      region: env.HERALD_S3_REGION?.trim() || "us-east-1",
      bucket,
      accessKeyId: env.HERALD_S3_ACCESS_KEY_ID?.trim() || undefined,
      secretAccessKey: env.HERALD_S3_SECRET_ACCESS_KEY?.trim() || undefined,
      // Custom endpoints (MinIO, s3rver) rarely have wildcard DNS for virtual-hosted buckets.
      forcePathStyle: pathStyle ? pathStyle === "true" || pathStyle === "1" : endpoint !== undefined,
    },
    prefix: backend === "s3" ? prefix : "",
  };
}

let cached: { signature: string; storage: MediaStorage; settings: StorageSettings } | undefined;

/** The deployment's storage (built once per distinct configuration). */
export function mediaStorage(): { storage: MediaStorage; settings: StorageSettings } {
  const settings = storageSettings();
  const signature = JSON.stringify(settings);
  if (cached?.signature === signature) return cached;
  const s = settings.s3;
  const storage =
    settings.backend === "s3"
      ? createS3Storage({
          endpoint: s.endpoint,
          region: s.region,
          bucket: s.bucket,
          forcePathStyle: s.forcePathStyle,
          ...(s.accessKeyId && s.secretAccessKey ? { credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey } } : {}),
        })
      : createFilesystemStorage(settings.dir);
  cached = { signature, storage, settings };
  return cached;
}
