// The Customer.io simulator on its own: auth, regions, batch limits, per-operation errors, state.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../server";
import type { CustomerioAccount } from "./customerio";

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
});
afterAll(async () => sim?.close());

function call(account: CustomerioAccount, path: string, body: unknown, method = "POST", auth = `${account.siteId}:${account.apiKey}`) {
  return fetch(`${sim.url}${path}`, {
    method,
    redirect: "manual",
    headers: { authorization: `Basic ${Buffer.from(auth).toString("base64")}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

describe("customer.io simulator", () => {
  it("applies a v2 batch, refuses bad operations by index, and records the workspace", async () => {
    const a = sim.createAccount({ provider: "customerio" }) as CustomerioAccount;
    expect((await call(a, "/track.customer.io/api/v2/batch", { batch: [] }, "POST", "x:y")).status).toBe(401);
    const res = await call(a, "/track.customer.io/api/v2/batch", {
      batch: [
        { type: "person", action: "identify", identifiers: { id: "42" }, attributes: { email: "p@x.test" } },
        { type: "person", action: "identify", identifiers: { id: "x".repeat(151) } },
        { type: "object", action: "identify", identifiers: { object_type_id: "1", object_id: "school-7" }, attributes: { name: "S7" }, cio_relationships: [{ identifiers: { id: "42" }, relationship_attributes: { role: "owner" } }] },
        { type: "person", action: "identify", identifiers: { id: "43" }, attributes: { bio: "y".repeat(1001) } },
      ],
    });
    expect(res.status).toBe(207);
    const body = (await res.json()) as { errors: { batch_index: number; reason: string }[] };
    expect(body.errors.map((e) => [e.batch_index, e.reason])).toEqual([
      [1, "too_long"],
      [3, "too_long"],
    ]);
    const snap = (await (await fetch(`${sim.url}/__sim/customerio/${a.id}`)).json()) as ReturnType<ReturnType<Simulator["state"]["customerio"]["workspace"]>["snapshot"]>;
    expect(Object.keys(snap.people)).toEqual(["42"]);
    expect(snap.objects["1:school-7"]).toMatchObject({ name: "S7" });
    expect(snap.relationships).toEqual([{ personId: "42", objectTypeId: "1", objectId: "school-7", attributes: { role: "owner" } }]);

    expect((await call(a, "/api/v1/customers/42", undefined, "DELETE")).status).toBe(200);
    expect(sim.state.customerio.workspace(a.id).relationships.size).toBe(0);
  });

  it("redirects an account called on the other region's host and answers 429 with Retry-After", async () => {
    const eu = sim.createAccount({ provider: "customerio", credentials: { region: "eu" } }) as CustomerioAccount;
    const wrong = await call(eu, "/track.customer.io/api/v2/batch", { batch: [] });
    expect(wrong.status).toBe(307);
    expect(wrong.headers.get("location")).toBe("https://track-eu.customer.io/api/v2/batch");
    expect((await call(eu, "/track-eu.customer.io/api/v2/batch", { batch: [] })).status).toBe(200);
    sim.addFailureRule({ mode: "rate_limit", provider: "customerio", accountId: eu.id, count: 1, retryAfterSeconds: 3 });
    const limited = await call(eu, "/track-eu.customer.io/api/v2/batch", { batch: [] });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("3");
    const big = await call(eu, "/track-eu.customer.io/api/v2/batch", { batch: [{ type: "person", action: "identify", identifiers: { id: "1" }, attributes: { a: "z".repeat(520_000) } }] });
    expect(big.status).toBe(413);
  });
});
