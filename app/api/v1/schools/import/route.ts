import { ApiError, errorBody } from "@/lib/api/errors";
import { readBodyText } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { IMPORT_MAX_BYTES, planSchoolImport, runSchoolImport } from "@/lib/schools/import";

/**
 * POST text/csv (≤ 5 MB, ≤ 50,000 rows). File-level problems answer 413/415/422 and write
 * nothing; row problems are reported per line and valid rows are imported in batches of 500.
 * `Accept: application/x-ndjson` streams `{"type":"progress",…}` lines while batches are
 * written, then one `{"type":"result",…}` (or `{"type":"error",…}`) line — the UI's progress bar.
 * Otherwise the answer is the result JSON once the import is done.
 */
export const POST = withApiAuth(async ({ req, ctx, log }) => {
  const contentType = req.headers.get("content-type") ?? "";
  if (!/^(text\/csv|application\/csv|text\/plain)\b/i.test(contentType)) {
    throw new ApiError({ code: "unsupported_media_type", message: "Send the file as text/csv" });
  }
  const text = await readBodyText(req, IMPORT_MAX_BYTES);
  const plan = planSchoolImport(text);

  if (!(req.headers.get("accept") ?? "").includes("application/x-ndjson")) {
    return Response.json(await runSchoolImport(ctx, plan));
  }
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (obj: unknown) => controller.enqueue(encoder.encode(`${JSON.stringify(obj)}\n`));
      send({ type: "progress", processed: 0, total: plan.totalRows, created: 0, updated: 0, failed: 0 });
      try {
        const result = await runSchoolImport(ctx, plan, (p) => send({ type: "progress", ...p }));
        send({ type: "result", ...result });
      } catch (err) {
        log.error({ err }, "school import failed");
        const e = err instanceof ApiError ? errorBody(err.code, err.message) : errorBody("internal_error", "The import stopped on our side; rows already written stay imported", { request_id: ctx.requestId });
        send({ type: "error", ...e });
      } finally {
        controller.close();
      }
    },
  });
  return new Response(stream, { headers: { "content-type": "application/x-ndjson; charset=utf-8", "cache-control": "no-store" } });
}, { scope: "schools:write" });
