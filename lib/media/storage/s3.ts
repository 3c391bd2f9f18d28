// The S3-compatible backend (AWS S3, MinIO, Cloudflare R2, s3rver): streamed multipart uploads and presigned URLs.
import type { Readable } from "node:stream";
import { AbortMultipartUploadCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { contentDisposition, type DownloadUrlOptions, type MediaStorage, type UploadUrlOptions } from "./storage";

export interface S3StorageConfig {
  /** Unset: AWS's own endpoint for the region. */
  endpoint?: string;
  region: string;
  bucket: string;
  /** Unset: the SDK's default credential chain (env, profile, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  forcePathStyle: boolean;
}

/** Parts of a streamed upload held in memory at once: partSize × queueSize bounds an upload's buffers. */
const PART_SIZE = 5 * 1024 * 1024;
const QUEUE_SIZE = 2;
/** S3 presigned URLs live at most 7 days. */
const MAX_PRESIGN_SECONDS = 604_800;

const isMissing = (err: unknown) => {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === "NotFound" || e?.name === "NoSuchKey" || e?.$metadata?.httpStatusCode === 404;
};

export function createS3Storage(config: S3StorageConfig): MediaStorage {
  const client = new S3Client({
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    region: config.region,
    forcePathStyle: config.forcePathStyle,
    ...(config.credentials ? { credentials: config.credentials } : {}),
    // Since 3.729 the SDK adds CRC32 checksums to every request and checks them on every answer,
    // which R2, B2 and older MinIO/s3rver refuse or do not send: only where the API requires one.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
  const Bucket = config.bucket;
  const ttl = (s: number) => Math.max(1, Math.min(MAX_PRESIGN_SECONDS, Math.round(s)));

  return {
    backend: "s3",
    async put(key, body: Readable, opts) {
      // A multipart upload of unknown length: memory stays at a few parts whatever the size.
      const upload = new Upload({
        client,
        params: { Bucket, Key: key, Body: body, ContentType: opts.contentType },
        partSize: PART_SIZE,
        queueSize: QUEUE_SIZE,
        // Aborted below instead: the SDK's own abort replaces the original error with the abort's
        // when the server cannot abort (s3rver), and the original is the one that matters.
        leavePartsOnError: true,
      });
      try {
        await upload.done();
      } catch (err) {
        const uploadId = (upload as unknown as { uploadId?: string }).uploadId;
        if (uploadId) await client.send(new AbortMultipartUploadCommand({ Bucket, Key: key, UploadId: uploadId })).catch(() => {});
        throw err;
      }
    },
    async get(key) {
      try {
        const out = await client.send(new GetObjectCommand({ Bucket, Key: key }));
        if (!out.Body) return null;
        return { body: out.Body as Readable, size: Number(out.ContentLength ?? 0) };
      } catch (err) {
        if (isMissing(err)) return null;
        throw err;
      }
    },
    async head(key) {
      try {
        const out = await client.send(new HeadObjectCommand({ Bucket, Key: key }));
        return { size: Number(out.ContentLength ?? 0) };
      } catch (err) {
        if (isMissing(err)) return null;
        throw err;
      }
    },
    async delete(key) {
      try {
        await client.send(new DeleteObjectCommand({ Bucket, Key: key }));
      } catch (err) {
        if (!isMissing(err)) throw err;
      }
    },
    async uploadUrl(key, opts: UploadUrlOptions) {
      // The size and type cannot be bound into a presigned PUT: completing the upload checks the object.
      const url = await getSignedUrl(client, new PutObjectCommand({ Bucket, Key: key }), { expiresIn: ttl(opts.expiresInSeconds) });
      return { url, headers: {} };
    },
    async downloadUrl(key, opts: DownloadUrlOptions) {
      const cmd = new GetObjectCommand({
        Bucket,
        Key: key,
        ResponseContentType: opts.contentType,
        ResponseContentDisposition: contentDisposition(opts.disposition, opts.filename),
      });
      return getSignedUrl(client, cmd, { expiresIn: ttl(opts.expiresInSeconds) });
    },
  };
}
