import { Readable } from "node:stream";
import { withRoute } from "@/lib/api/with-api-auth";
import { readSignedFile, writeSignedFile } from "@/lib/media/signed-files";

/** A Herald-signed download link (filesystem backend): the token is the credential. */
export const GET = withRoute<{ token: string }>(async ({ params }) => {
  const file = await readSignedFile(params.token);
  return new Response(Readable.toWeb(file.body) as ReadableStream<Uint8Array>, { headers: file.headers });
});

/** A Herald-signed presigned upload (filesystem backend): the body is the file. */
export const PUT = withRoute<{ token: string }>(async ({ req, params }) => {
  await writeSignedFile(params.token, req.body);
  return new Response(null, { status: 200 });
});
