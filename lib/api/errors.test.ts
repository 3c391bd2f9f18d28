import { describe, expect, it } from "vitest";
import { closeDb, getDb } from "@/db";
import { sql } from "drizzle-orm";
import { afterAll } from "vitest";
import { ApiError, databaseInputError, errorResponse } from "./errors";

afterAll(async () => {
  await closeDb();
});

/** What Postgres really throws (through drizzle) for a statement. */
async function refusal(statement: ReturnType<typeof sql>): Promise<unknown> {
  try {
    await getDb().execute(statement);
  } catch (err) {
    return err;
  }
  throw new Error("expected Postgres to refuse the statement");
}

describe("database errors reached by client input", () => {
  it("maps NUL in jsonb, out-of-range dates and unique races to 4xx; keeps the cause", async () => {
    const cases: [ReturnType<typeof sql>, number, string][] = [
      [sql`select '{"a":"\\u0000"}'::jsonb`, 422, "validation_failed"],
      [sql`select '0000-01-01T00:00:00Z'::timestamptz`, 422, "validation_failed"],
      [sql`select '2025-13-45'::date`, 422, "validation_failed"],
      [sql`select 'not-a-uuid'::uuid`, 400, "bad_request"],
      [sql`select 99999999999::int`, 422, "validation_failed"],
      [sql`create temp table if not exists t_uq (k int unique); insert into t_uq values (1), (1)`, 409, "conflict"],
    ];
    for (const [statement, status, code] of cases) {
      const err = await refusal(statement);
      const mapped = databaseInputError(err);
      expect(mapped, String(err)).toBeInstanceOf(ApiError);
      expect(mapped).toMatchObject({ status, code });
      expect(mapped!.cause).toBe(err);
      const res = errorResponse(err, "req-1", { error: () => {}, warn: () => {} });
      expect(res.status).toBe(status);
      expect(await res.json()).toMatchObject({ error: { code, message: expect.any(String) } });
    }
  });

  it("anything else stays a 500 with the request id only", async () => {
    const err = await refusal(sql`select * from no_such_table_here`);
    expect(databaseInputError(err)).toBeNull();
    const logged: unknown[] = [];
    const res = errorResponse(err, "req-2", { error: (o) => logged.push(o) });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: { code: "internal_error", message: expect.any(String), details: { request_id: "req-2" } } });
    expect(logged).toHaveLength(1);
  });
});
