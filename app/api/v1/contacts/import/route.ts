import { ApiError, errorBody } from "@/lib/api/errors";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { importContacts, type ImportFormat } from "@/lib/contacts/import";

/**
 * POST text/csv or application/x-ndjson, streamed (≤ 512 MiB, ≤ 1,000,000 rows): rows are
 * written in batches of 1,000 as they arrive. A bad header answers 422 and writes nothing; row
 * problems are reported per line. `Accept: application/x-ndjson` streams
 * `{"type":"progress",…}` lines per batch, then `{"type":"result",…}` (or `{"type":"error",…}`).
 */
export const POST = withApiAuth(async ({ req, ctx, log }) => {
  const contentType = req.headers.get("content-type") ?? "";
  let format: ImportFormat;
  if (/^(text\/csv|application\/csv)\b/i.test(contentType)) format = "csv";
  else if (/^application\/(x-)?ndjson\b/i.test(contentType)) format = "ndjson";
  else throw new ApiError({ code: "unsupported_media_type", message: "Send the file as text/csv or application/x-ndjson" });
  const declared = Number(req.headers.get("content-length") ?? NaN);
  const input = { body: req.body, format, bytesTotal: Number.isFinite(declared) ? declared : null };

  if (!(req.headers.get("accept") ?? "").includes("application/x-ndjson")) {
    return Response.json(await importContacts(ctx, input));
  }
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (obj: unknown) => controller.enqueue(encoder.encode(`${JSON.stringify(obj)}\n`));
      send({ type: "progress", processed: 0, created: 0, updated: 0, failed: 0, bytes_read: 0, bytes_total: input.bytesTotal });
      try {
        const result = await importContacts(ctx, input, (p) => send({ type: "progress", ...p }));
        send({ type: "result", ...result });
      } catch (err) {
        if (!(err instanceof ApiError)) log.error({ err }, "contact import failed");
        const e = err instanceof ApiError ? errorBody(err.code, err.message, err.details) : errorBody("internal_error", "The import stopped on our side; rows already written stay imported", { request_id: ctx.requestId });
        send({ type: "error", ...e });
      } finally {
        controller.close();
      }
    },
  });
  return new Response(stream, { headers: { "content-type": "application/x-ndjson; charset=utf-8", "cache-control": "no-store" } });
}, { scope: "contacts:write" });
