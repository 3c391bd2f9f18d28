import { startSimulator, type Simulator } from "./simulator/server";
import { expect, test } from "./fixtures";

// A dashboard people trust: a misconfigured provider's refused webhooks can be read, and a new
// tenant's setup checklist says what is done from real state.

let sim: Simulator;
test.beforeAll(async () => {
  sim = await startSimulator({ port: 0, autoDelivery: false });
});
test.afterAll(async () => {
  await sim?.close();
});

test("a webhook with a bad signature is refused and readable under Webhooks → Rejected", async ({ page }) => {
  const stamp = Date.now().toString(36);
  const account = sim.createAccount({ provider: "sendgrid" });
  const created = await page.request.post("/api/communication/sendgrid/configs", {
    data: {
      display_name: `Refusals ${stamp}`,
      from_email: "noreply@example.com",
      from_name: "Herald",
      api_base_url: sim.url,
      // The account's real key: the request below carries a signature it cannot verify.
      credentials: { api_key_ref: account.apiKey, webhook_signing_key_ref: account.publicKey },
    },
  });
  expect(created.status()).toBe(201);
  const config = (await created.json()) as { id: string };
  const signature = `forged-signature-${stamp}-0123456789`;
  const refused = await page.request.post(`/api/webhooks/sendgrid/${config.id}`, {
    headers: {
      "content-type": "application/json",
      "x-twilio-email-event-webhook-signature": signature,
      "x-twilio-email-event-webhook-timestamp": String(Math.floor(Date.now() / 1000)),
    },
    data: [{ event: "delivered", email: "ada@example.com", sg_event_id: `e-${stamp}`, timestamp: Math.floor(Date.now() / 1000) }],
  });
  expect(refused.status()).toBe(401);

  await page.goto(`/webhooks?tab=rejected&config=${config.id}`);
  const row = page.getByTestId("rejected-webhook-row").first();
  await expect(row).toBeVisible({ timeout: 20_000 });
  await expect(row).toContainText("Signature did not match");
  await row.click();
  await expect(page).toHaveURL((u) => u.searchParams.has("rejected"));
  const drawer = page.getByRole("dialog", { name: "Refused webhook request" });
  await expect(drawer).toBeVisible();
  await expect(drawer).toContainText("x-twilio-email-event-webhook-signature");
  await expect(drawer).toContainText("ada@example.com");
  // The signature itself is never kept whole.
  await expect(drawer).not.toContainText(signature);
});

test("the setup checklist ticks what the tenant has done, from real state", async ({ page }) => {
  // Tenant B has an API key and nothing else; the owner is a viewer there.
  await page.goto("/");
  await page.getByTestId("tenant-switcher").first().click();
  await page.getByRole("menuitem", { name: /E2E Federation B/ }).click();
  await expect(page.getByText(/E2E Federation B/).first()).toBeVisible();
  const state = (await (await page.request.get("/api/v1/onboarding")).json()) as { steps: { id: string; done: boolean }[] };
  expect(state.steps.find((s) => s.id === "api_key")?.done).toBe(true);
  expect(state.steps.find((s) => s.id === "provider")?.done).toBe(false);

  await page.goto("/");
  const checklist = page.getByTestId("onboarding-checklist");
  await expect(checklist).toBeVisible({ timeout: 20_000 });
  for (const s of state.steps) await expect(checklist.getByTestId(`onboarding-step-${s.id}`)).toHaveAttribute("data-done", String(s.done));
  await expect(checklist.getByRole("link", { name: /Add a provider/ })).toHaveAttribute("href", "/providers");
});
