import { describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { getDb } from "@/db";
import { errorText } from "./logger";

describe("errorText", () => {
  it("spells out the database error behind a failed drizzle query, without the query's parameters", async () => {
    const err = await getDb()
      .execute(sql`select 1 / (select 0 where ${"secret-param"}::text <> '')`)
      .then(() => undefined, (e: unknown) => e);
    const text = errorText(err);
    expect(text).toContain("Failed query: select 1 /");
    expect(text).toMatch(/caused by: division by zero \(code 22012\)/);
    expect(text).not.toContain("secret-param");
  });

  it("follows a chain of causes", () => {
    const inner = Object.assign(new Error("deadlock detected"), { code: "40P01", detail: "Process 1 waits for ShareLock" });
    expect(errorText(new Error("attempt failed", { cause: inner }))).toBe(
      "attempt failed — caused by: deadlock detected (code 40P01, Process 1 waits for ShareLock)",
    );
  });
});
