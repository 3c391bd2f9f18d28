import { Readable } from "node:stream";
import { ApiError } from "@/lib/api/errors";
import { readQuery } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { downloadMedia } from "@/lib/media/media";
import { contentDisposition } from "@/lib/media/storage/storage";
import { isUuid } from "@/lib/validations/common";
import { downloadQuery } from "@/lib/validations/media";

/** S3: a redirect to a short-lived presigned URL; filesystem: the bytes. `?as=url`: `{url, expires_at}` on both. */
export const GET = withApiAuth<{ id: string }>(async ({ req, params, ctx }) => {
  if (!isUuid(params.id)) throw ApiError.notFound("Media");
  const answer = await downloadMedia(ctx, params.id, readQuery(req, downloadQuery));
  if (answer.kind === "url") return Response.json({ url: answer.url, expires_at: answer.expiresAt.toISOString() });
  if (answer.kind === "redirect") return new Response(null, { status: 302, headers: { Location: answer.url, "cache-control": "no-store" } });
  return new Response(Readable.toWeb(answer.body) as ReadableStream<Uint8Array>, {
    headers: {
      "content-type": answer.contentType,
      "content-length": String(answer.size),
      "content-disposition": contentDisposition(answer.disposition, answer.filename),
      "x-content-type-options": "nosniff",
      "content-security-policy": "default-src 'none'; img-src 'self'; media-src 'self'; sandbox",
      "cache-control": "private, no-store",
    },
  });
}, { scope: "media:read" });
