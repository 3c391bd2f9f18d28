import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { countPendingMigrations } from "@/db/migrate";
import { bootDatabase } from "@/lib/server/boot";
import { lifecycle } from "@/lib/server/lifecycle";
import { params, request } from "@/lib/test/http";
import { GET } from "./route";

afterEach(() => {
  lifecycle().draining = false;
  delete process.env.HERALD_MIGRATE_ON_START;
});

describe("GET /api/ready", () => {
  it("answers 200 while the process takes requests and 503 once it drains", async () => {
    const up = await GET(request("/api/ready"), params({}));
    expect(up.status).toBe(200);
    expect(await up.json()).toMatchObject({ status: "ready", down: [] });

    lifecycle().draining = true;
    const draining = await GET(request("/api/ready"), params({}));
    expect(draining.status).toBe(503);
    expect(await draining.json()).toMatchObject({ status: "draining" });
  });
});

describe("HERALD_MIGRATE_ON_START=false", () => {
  it("starts on a database at its release's migrations, and refuses one behind them", async () => {
    process.env.HERALD_MIGRATE_ON_START = "false";
    expect(await countPendingMigrations(process.env.DATABASE_URL!)).toBe(0);
    await expect(bootDatabase({ mode: "worker" })).resolves.toMatchObject({ url: process.env.DATABASE_URL });

    // As if the last migration had not run yet.
    await getDb().execute(sql`delete from drizzle.__drizzle_migrations where created_at = (select max(created_at) from drizzle.__drizzle_migrations)`);
    expect(await countPendingMigrations(process.env.DATABASE_URL!)).toBe(1);
    await expect(bootDatabase({ mode: "worker" })).rejects.toThrow(/1 migration\(s\) behind.*npm run db:migrate/);
  });
});
