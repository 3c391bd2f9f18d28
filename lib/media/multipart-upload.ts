// `POST /api/v1/media`: a multipart/form-data body parsed as it streams (busboy), the file part
// piped straight into storage — never buffered. Options come from the query string or from form
// fields sent before the file.
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import busboy from "busboy";
import { ApiError, validationError } from "@/lib/api/errors";
import type { TenantContext } from "@/lib/tenancy/context";
import { filenameSchema, uploadOptions, type MediaOut } from "@/lib/validations/media";
import { storeUpload } from "./media";

const OPTION_FIELDS = new Set(["use", "retention_days"]);

const badMultipart = (message: string) => new ApiError({ code: "bad_request", message });
const noFile = () =>
  new ApiError({ code: "validation_failed", message: "Send the file in a multipart/form-data field named file", details: [{ path: "file", message: "Required" }] });

/** The base name the client gave (some browsers send a whole path), or null. */
function filenameOf(raw: string | undefined): string | null {
  const base = raw?.split(/[\\/]/).pop()?.trim();
  if (!base) return null;
  const parsed = filenameSchema.safeParse(base);
  if (!parsed.success) throw validationError(parsed.error, "The file name is invalid");
  return parsed.data;
}

export async function uploadFromRequest(ctx: TenantContext, req: Request, query: Record<string, string>): Promise<MediaOut> {
  const type = req.headers.get("content-type") ?? "";
  if (!/^multipart\/form-data\b/i.test(type)) {
    throw new ApiError({ code: "unsupported_media_type", message: "Send the file as multipart/form-data (field file), or use POST /api/v1/media/uploads for a presigned upload" });
  }
  if (!req.body) throw noFile();
  let parser: busboy.Busboy;
  try {
    parser = busboy({ headers: { "content-type": type }, limits: { files: 1, fields: 10, fieldSize: 1024, parts: 20, headerPairs: 20 } });
  } catch (err) {
    throw new ApiError({ code: "bad_request", message: "The multipart body has no valid boundary", cause: err });
  }
  const source = Readable.fromWeb(req.body as WebReadableStream<Uint8Array>);
  const fields: Record<string, string> = {};
  return new Promise<MediaOut>((resolve, reject) => {
    let settled = false;
    let started = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      source.unpipe(parser);
      source.destroy();
      reject(err);
    };
    parser.on("field", (name, value) => {
      if (OPTION_FIELDS.has(name) && !Object.hasOwn(fields, name)) fields[name] = value;
    });
    parser.on("file", (name, stream, info) => {
      if (name !== "file" || started) {
        stream.resume();
        return;
      }
      started = true;
      try {
        const parsed = uploadOptions.safeParse({ ...fields, ...query });
        if (!parsed.success) throw validationError(parsed.error);
        const filename = filenameOf(info.filename);
        storeUpload(ctx, { stream, filename, declaredType: info.mimeType }, parsed.data).then((out) => {
          if (settled) return;
          settled = true;
          resolve(out);
        }, fail);
      } catch (err) {
        stream.resume();
        fail(err);
      }
    });
    parser.on("close", () => {
      if (!started) fail(noFile());
    });
    parser.on("error", (err) => fail(badMultipart(`The multipart body is malformed: ${(err as Error).message}`)));
    parser.on("partsLimit", () => fail(badMultipart("Too many parts: send one file and at most 10 fields")));
    source.on("error", (err) => fail(badMultipart(`The upload was interrupted: ${err.message}`)));
    source.pipe(parser);
  });
}
