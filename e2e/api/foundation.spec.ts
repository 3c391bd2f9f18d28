import { expect, test } from "@playwright/test";
import { readSeed } from "../seed-state";

test.describe("API contract over real HTTP", () => {
  test("health answers 200 with db and jobs", async ({ request }) => {
    const res = await request.get("/api/health");
    expect(res.status()).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ status: "ok", db: { status: "ok" }, jobs: { status: "ok", engine: "pg-boss" } });
  });

  test("bad input gets JSON errors, never a 500", async ({ request }) => {
    const seed = readSeed();
    const auth = { authorization: `Bearer ${seed.otherKey}` };
    const cases: [string, () => Promise<{ status(): number; json(): Promise<unknown> }>, number][] = [
      ["no credentials", () => request.get("/api/v1/me"), 401],
      ["bad key", () => request.get("/api/v1/me", { headers: { authorization: "Bearer hk_nope" } }), 401],
      ["key on a members-only route", () => request.post("/api/v1/api-keys", { headers: auth, data: { name: "x", scopes: ["messages:send"] } }), 403],
    ];
    for (const [label, call, status] of cases) {
      const res = await call();
      expect(res.status(), label).toBe(status);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(typeof body.error.code, label).toBe("string");
      expect(typeof body.error.message, label).toBe("string");
    }
  });

  test("sign-in is throttled per email after repeated failures", async ({ request }) => {
    const seed = readSeed();
    const csrf = await (await request.get("/api/auth/csrf")).json();
    let last = "";
    for (let i = 0; i < 7; i++) {
      const res = await request.post("/api/auth/callback/credentials", {
        form: { csrfToken: csrf.csrfToken, email: `nobody-${seed.tenantA}@example.test`, password: "wrong", json: "true" },
        maxRedirects: 0,
      });
      last = res.headers()["location"] ?? (await res.text());
    }
    expect(decodeURIComponent(last)).toContain("RATE_LIMITED:");
  });
});
