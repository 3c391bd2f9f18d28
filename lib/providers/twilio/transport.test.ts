import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTwilioClient, RedirectingRequestClient } from "./transport";
import { startCaptureServer } from "@/lib/test/capture-server";

let server: Awaited<ReturnType<typeof startCaptureServer>>;
beforeAll(async () => {
  server = await startCaptureServer({ status: 201, body: JSON.stringify({ sid: "SM1", status: "queued" }) });
});
afterAll(() => server.close());

describe("twilio transport", () => {
  it("uses the SDK's default RequestClient without apiBaseUrl", () => {
    const client = createTwilioClient({ accountSid: "AC" + "0".repeat(32), authToken: "t" });
    expect(client.httpClient).not.toBeInstanceOf(RedirectingRequestClient);
  });

  it("rewrites every *.twilio.com origin (regional hosts too) to apiBaseUrl", async () => {
    const sid = "AC" + "1".repeat(32);
    const client = createTwilioClient({ accountSid: sid, authToken: "secret", apiBaseUrl: `${server.url}/prefix` });
    const message = await client.messages.create({ to: "+46701740605", from: "+15005550006", body: "hi" });
    expect(message.sid).toBe("SM1");
    const regional = createTwilioClient({ accountSid: sid, authToken: "secret", apiBaseUrl: server.url });
    regional.region = "ie1";
    regional.edge = "dublin";
    await regional.messages.create({ to: "+46701740605", from: "+15005550006", body: "hi" });
    expect(server.captured.map((c) => c.url)).toEqual([
      `/prefix/2010-04-01/Accounts/${sid}/Messages.json`,
      `/2010-04-01/Accounts/${sid}/Messages.json`,
    ]);
    expect(server.captured[0]!.headers.authorization).toBe(`Basic ${Buffer.from(`${sid}:secret`).toString("base64")}`);
    expect(new URLSearchParams(server.captured[0]!.body).get("To")).toBe("+46701740605");
  });
});
