import { startSimulator, type Simulator } from "./simulator/server";
import { expect, test } from "./fixtures";

// Traffic goes through the real API, the running server's delivery workflow and the simulator's
// signed SendGrid webhooks; the UI must show figures computed from what was stored.
let sim: Simulator;
test.beforeAll(async () => {
  sim = await startSimulator({ port: 0, webhookDelayMs: 10 });
});
test.afterAll(async () => {
  await sim?.close();
});

const pct = (n: number, d: number) => `${((n / d) * 100).toFixed(1)}%`;

test("overview and the config usage panel show figures computed from seeded traffic", async ({ page, baseURL }) => {
  test.setTimeout(90_000);
  const account = sim.createAccount({ provider: "sendgrid" });
  const name = `Usage ${Date.now().toString(36)}`;
  const created = await page.request.post("/api/communication/sendgrid/configs", {
    data: {
      display_name: name,
      from_email: "noreply@example.com",
      from_name: "Herald",
      api_base_url: sim.url,
      monthly_quota: 100,
      credentials: { api_key_ref: account.apiKey, webhook_signing_key_ref: account.publicKey },
    },
  });
  expect(created.status()).toBe(201);
  const config = (await created.json()) as { id: string };
  expect((await page.request.post(`/api/communication/sendgrid/configs/${config.id}/transition`, { data: { to: "active" } })).ok()).toBe(true);
  sim.updateAccount(account.id, { webhookUrl: `${baseURL}/api/webhooks/sendgrid/${config.id}` });

  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    const res = await page.request.post("/api/v1/messages", {
      data: { channel: "email", config_id: config.id, to: [{ email: `seed${i}-${Date.now()}@example.com` }], subject: "Hello", body_text: "Hi" },
    });
    expect(res.status()).toBe(202);
    ids.push(((await res.json()) as { id: string }).id);
  }
  const statusOf = async (id: string) => ((await (await page.request.get(`/api/v1/messages/${id}`)).json()) as { status: string }).status;
  await expect.poll(async () => (await Promise.all(ids.map(statusOf))).every((s) => s === "delivered"), { timeout: 45_000 }).toBe(true);

  const simMessages = sim.listMessages({ accountId: account.id });
  await sim.triggerEvent({ messageId: simMessages[0]!.id, event: "open" });
  await sim.triggerEvent({ messageId: simMessages[1]!.id, event: "open" });
  await sim.triggerEvent({ messageId: simMessages[1]!.id, event: "click", url: "https://example.com/x" });
  await sim.flush();
  await expect.poll(async () => (await Promise.all(ids.map(statusOf))).filter((s) => s === "opened" || s === "clicked").length, { timeout: 20_000 }).toBe(2);

  // The stored messages: 5 sent, 5 delivered, 2 opened (unique), 1 clicked.
  await page.goto("/providers");
  const card = page.getByTestId("provider-config-card").filter({ hasText: name });
  const panel = card.getByTestId("config-usage-panel");
  await expect(panel.getByTestId("usage-volume")).toHaveText("5 sent · 5 delivered · 0 bounced · 0 failed");
  await expect(panel.getByTestId("usage-open")).toHaveText(pct(2, 5));
  await expect(panel.getByTestId("usage-click")).toHaveText(pct(1, 5));
  await expect(panel.getByTestId("usage-quota")).toContainText("5 / 100 (5.0%)");
  await expect(panel.getByRole("progressbar", { name: "Quota burn" })).toHaveAttribute("aria-valuenow", "5");

  // The overview is tenant-wide (other specs send too): it must agree with the stored totals.
  const overview = (await (await page.request.get("/api/v1/usage/overview?range=24h")).json()) as {
    sends_today: number;
    totals: { open_rate: number | null; delivery_rate: number | null };
  };
  expect(overview.sends_today).toBeGreaterThanOrEqual(5);
  await page.goto("/");
  await page.getByRole("group", { name: "Range" }).getByRole("button", { name: "24 h" }).click();
  await expect(page.getByTestId("overview-sends-today")).toHaveText(overview.sends_today.toLocaleString("en-US"));
  await expect(page.getByTestId("overview-open-rate")).toHaveText(overview.totals.open_rate === null ? "—" : `${(overview.totals.open_rate * 100).toFixed(1)}%`);
  await expect(page.getByRole("img", { name: "Messages sent per provider" })).toBeVisible();
});
