import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSendgridClient, createSendgridMailService } from "./transport";
import { startCaptureServer } from "@/lib/test/capture-server";

let server: Awaited<ReturnType<typeof startCaptureServer>>;
beforeAll(async () => {
  server = await startCaptureServer({ status: 202, body: "", headers: { "x-message-id": "abc" } });
});
afterAll(() => server.close());

describe("sendgrid transport", () => {
  it("keeps the real hosts when no apiBaseUrl is given", () => {
    const global = createSendgridClient({ apiKey: "SG.x" }).createRequest({ url: "/v3/mail/send" }) as { baseURL?: string };
    expect(global.baseURL).toBe("https://api.sendgrid.com/");
    const eu = createSendgridClient({ apiKey: "SG.x", region: "eu" }).createRequest({ url: "/v3/mail/send" }) as { baseURL?: string };
    expect(eu.baseURL).toBe("https://api.eu.sendgrid.com/");
  });

  it("sends the SDK's own request to apiBaseUrl with the tenant's key", async () => {
    const mail = createSendgridMailService({ apiKey: "SG.tenant-a", apiBaseUrl: server.url });
    const other = createSendgridMailService({ apiKey: "SG.tenant-b", apiBaseUrl: server.url });
    const [res] = await mail.send({ to: "a@example.com", from: "n@herald.test", subject: "s", text: "t" });
    await other.send({ to: "b@example.com", from: "n@herald.test", subject: "s", text: "t" });
    expect(res.statusCode).toBe(202);
    expect(server.captured.map((c) => [c.method, c.url, c.headers.authorization])).toEqual([
      ["POST", "/v3/mail/send", "Bearer SG.tenant-a"],
      ["POST", "/v3/mail/send", "Bearer SG.tenant-b"],
    ]);
    expect(JSON.parse(server.captured[0]!.body)).toMatchObject({ personalizations: [{ to: [{ email: "a@example.com" }] }] });
  });
});
