// The filesystem backend (the default: `npm start` needs nothing else): objects are files under
// the media directory, written to a temporary name and renamed into place when complete.
import { randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, rename, stat, unlink } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { signedFileUrl } from "./signed-url";
import { isObjectKey, type MediaStorage } from "./storage";

export function createFilesystemStorage(root: string): MediaStorage {
  const base = path.resolve(root);
  const fileOf = (key: string) => {
    // Keys are Herald's own (`t/<uuid>/<uuid>`); anything else never reaches the disk.
    if (!isObjectKey(key)) throw new Error("invalid media object key");
    const file = path.resolve(base, key);
    if (!file.startsWith(base + path.sep)) throw new Error("invalid media object key");
    return file;
  };
  const expiry = (s: number) => Math.floor(Date.now() / 1000) + Math.max(1, Math.round(s));

  return {
    backend: "filesystem",
    async put(key, body: Readable) {
      const file = fileOf(key);
      await mkdir(path.dirname(file), { recursive: true });
      const temp = `${file}.${randomBytes(6).toString("hex")}.part`;
      try {
        await pipeline(body, createWriteStream(temp, { mode: 0o600 }));
        await rename(temp, file);
      } catch (err) {
        await unlink(temp).catch(() => {});
        throw err;
      }
    },
    async get(key) {
      const file = fileOf(key);
      try {
        const s = await stat(file);
        return { body: createReadStream(file), size: s.size };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
        throw err;
      }
    },
    async head(key) {
      try {
        return { size: (await stat(fileOf(key))).size };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
        throw err;
      }
    },
    async delete(key) {
      await unlink(fileOf(key)).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== "ENOENT") throw err;
      });
    },
    async uploadUrl(key, opts) {
      fileOf(key);
      return { url: signedFileUrl({ op: "put", key, expiresAt: expiry(opts.expiresInSeconds), maxBytes: opts.maxBytes }), headers: {} };
    },
    async downloadUrl(key, opts) {
      fileOf(key);
      return signedFileUrl({
        op: "get",
        key,
        expiresAt: expiry(opts.expiresInSeconds),
        contentType: opts.contentType,
        disposition: opts.disposition,
        filename: opts.filename,
      });
    },
  };
}
