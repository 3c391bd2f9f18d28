import { afterAll, describe, expect, it } from "vitest";
import { closeDb } from "@/db";
import { workflows } from "@/inngest/workflows";
import { startJobEngine, stopJobEngine } from "@/lib/jobs/job-engine";
import { params, request } from "@/lib/test/http";
import { GET } from "./route";

afterAll(async () => {
  await stopJobEngine();
  await closeDb();
});

describe("GET /api/health", () => {
  it("answers 503 naming the job engine while it is not running, then 200", async () => {
    const down = await GET(request("/api/health"), params({}));
    expect(down.status).toBe(503);
    const body = await down.json();
    expect(body.down).toEqual(["jobs"]);
    expect(body.db.status).toBe("ok");

    await startJobEngine({ workflows, runWorkers: false });
    const up = await GET(request("/api/health"), params({}));
    expect(up.status).toBe(200);
    expect(await up.json()).toMatchObject({ status: "ok", db: { status: "ok" }, jobs: { status: "ok", engine: "pg-boss" }, down: [] });
  });
});
