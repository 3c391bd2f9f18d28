// Streaming an object into storage while measuring it: size (with the limit enforced as bytes
// arrive), SHA-256, and the first bytes for sniffing — never more than one chunk held at once.
import { createHash } from "node:crypto";
import { Transform, type Readable, type TransformCallback } from "node:stream";
import { SNIFF_BYTES } from "./media-types";

export class SizeLimitExceeded extends Error {
  constructor(readonly limit: number) {
    super(`larger than ${limit} bytes`);
    this.name = "SizeLimitExceeded";
  }
}

export interface Inspection {
  size: number;
  sha256: string;
  head: Buffer;
}

/**
 * A pass-through that counts, hashes and keeps the head. `onHead` runs once the head is complete
 * (or the stream ended first) before any later byte passes: throwing there (a forbidden type)
 * stops the upload early instead of after 100 MB.
 */
export class InspectStream extends Transform {
  // Not `size`: upload libraries read a body's `size` as its total length.
  private bytesSeen = 0;
  private readonly hash = createHash("sha256");
  private readonly headChunks: Buffer[] = [];
  private headBytes = 0;
  private headChecked = false;

  constructor(
    private readonly maxBytes: number,
    private readonly onHead?: (head: Buffer) => Promise<void> | void,
  ) {
    super();
  }

  private get head(): Buffer {
    return Buffer.concat(this.headChunks).subarray(0, SNIFF_BYTES);
  }

  private async checkHead() {
    if (this.headChecked) return;
    this.headChecked = true;
    await this.onHead?.(this.head);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
    this.bytesSeen += chunk.length;
    if (this.bytesSeen > this.maxBytes) return cb(new SizeLimitExceeded(this.maxBytes));
    this.hash.update(chunk);
    if (this.headBytes < SNIFF_BYTES) {
      this.headChunks.push(chunk.subarray(0, SNIFF_BYTES - this.headBytes));
      this.headBytes += Math.min(chunk.length, SNIFF_BYTES - this.headBytes);
    }
    if (this.headBytes >= SNIFF_BYTES && !this.headChecked) {
      this.checkHead().then(() => cb(null, chunk), cb);
      return;
    }
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback) {
    this.checkHead().then(() => cb(), cb);
  }

  result(): Inspection {
    return { size: this.bytesSeen, sha256: this.hash.digest("hex"), head: this.head };
  }
}

/** Reads a stream to its end through an inspector (to verify an object already stored). */
export async function inspectStream(body: Readable, maxBytes: number, onHead?: (head: Buffer) => Promise<void> | void): Promise<Inspection> {
  const inspector = new InspectStream(maxBytes, onHead);
  body.on("error", (err) => inspector.destroy(err));
  body.pipe(inspector);
  try {
    for await (const _ of inspector) {
      // bytes only pass through the inspector
    }
  } finally {
    body.destroy();
  }
  return inspector.result();
}
