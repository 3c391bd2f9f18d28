// A multipart/form-data request body whose file part streams from storage: the length is known
// up front (Content-Length, no chunked upload) and the file is never held in memory.
import { randomBytes } from "node:crypto";

export interface StreamedFilePart {
  name: string;
  filename: string;
  contentType: string;
  size: number;
  body: ReadableStream<Uint8Array>;
}

const quote = (v: string) => v.replace(/[\r\n"\\]/g, "_");

export function multipartBody(fields: [string, string][], file: StreamedFilePart): { body: ReadableStream<Uint8Array>; contentType: string; length: number } {
  const boundary = `----herald${randomBytes(12).toString("hex")}`;
  const head =
    fields.map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${quote(name)}"\r\n\r\n${value}\r\n`).join("") +
    `--${boundary}\r\nContent-Disposition: form-data; name="${quote(file.name)}"; filename="${quote(file.filename)}"\r\nContent-Type: ${quote(file.contentType)}\r\n\r\n`;
  const tail = `\r\n--${boundary}--\r\n`;
  const headBytes = Buffer.from(head, "utf8");
  const tailBytes = Buffer.from(tail, "utf8");
  const reader = file.body.getReader();
  let stage: "head" | "file" | "tail" | "done" = "head";
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (stage === "head") {
        controller.enqueue(headBytes);
        stage = "file";
        return;
      }
      if (stage === "file") {
        const { done, value } = await reader.read();
        if (!done) {
          controller.enqueue(value);
          return;
        }
        stage = "tail";
      }
      if (stage === "tail") {
        controller.enqueue(tailBytes);
        stage = "done";
        controller.close();
      }
    },
    async cancel(reason) {
      await reader.cancel(reason);
    },
  });
  return { body, contentType: `multipart/form-data; boundary=${boundary}`, length: headBytes.length + file.size + tailBytes.length };
}
