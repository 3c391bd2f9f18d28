import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ApiError } from "./errors";
import { queryParams, readJson, readQuery } from "./read-json";

function post(body: string, headers: Record<string, string> = {}) {
  return new Request("http://localhost/x", { method: "POST", body, headers: { "content-type": "application/json", ...headers } });
}

async function failure(p: Promise<unknown> | (() => unknown)): Promise<ApiError> {
  try {
    await (typeof p === "function" ? p() : p);
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error("expected an ApiError");
}

describe("readJson: the one body reader", () => {
  const anything = z.unknown();

  it("NUL and lone surrogates anywhere answer 422 with the field path", async () => {
    const nul = await failure(readJson(post('{"to":[{"name":"a\\u0000"}]}'), anything));
    expect(nul).toMatchObject({ status: 422, code: "validation_failed", details: [{ path: "to[0].name", message: expect.stringMatching(/NUL/) }] });
    const lone = await failure(readJson(post('{"subject":"a\\ud800b"}'), anything));
    expect(lone).toMatchObject({ status: 422, details: [{ path: "subject", message: expect.stringMatching(/surrogate/) }] });
    expect(await readJson(post('{"subject":"\\ud83d\\ude00"}'), anything)).toEqual({ subject: "😀" });
  });

  it("deep JSON answers 422 before any schema or database sees it", async () => {
    const deep = `${'{"context":'.repeat(10_000)}1${"}".repeat(10_000)}`;
    const err = await failure(readJson(post(deep), anything));
    expect(err).toMatchObject({ status: 422, details: [{ message: expect.stringMatching(/deeper than/) }] });
  });

  it("413 for a body over the limit, declared or streamed", async () => {
    expect(await failure(readJson(post("x".repeat(2000), { "content-length": "2000" }), anything, 1000))).toMatchObject({ status: 413 });
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode("x".repeat(800)));
        c.enqueue(new TextEncoder().encode("x".repeat(800)));
        c.close();
      },
    });
    const chunked = new Request("http://localhost/x", { method: "POST", body: stream, duplex: "half" } as RequestInit);
    expect(await failure(readJson(chunked, anything, 1000))).toMatchObject({ status: 413, code: "payload_too_large" });
  });
});

describe("readQuery", () => {
  it("NUL in a value or a name answers 400; __proto__ is an ordinary name", async () => {
    const schema = z.object({ tenant: z.string().optional() });
    expect(await failure(() => readQuery(new Request("http://localhost/x?tenant=%00"), schema))).toMatchObject({ status: 400, details: [{ path: "tenant" }] });
    expect(await failure(() => readQuery(new Request("http://localhost/x?a%00=1"), schema))).toMatchObject({ status: 400 });
    const q = queryParams(new Request("http://localhost/x?__proto__=1&constructor=2"));
    expect(Object.hasOwn(q, "__proto__") && q["__proto__"]).toBe("1");
    expect(Object.hasOwn(q, "constructor") && q.constructor).toBe("2");
  });
});
