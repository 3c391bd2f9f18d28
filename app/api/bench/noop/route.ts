import { withRoute } from "@/lib/api/with-api-auth";

/** A trivial handler, the baseline `npm run bench:call-events` compares ingest throughput to. */
export const POST = withRoute(async () => Response.json({ ok: true }));
export const GET = POST;
