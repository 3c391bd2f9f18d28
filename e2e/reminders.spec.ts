import { DateTime } from "luxon";
import { startSimulator, type Simulator } from "./simulator/server";
import { expect, test } from "./fixtures";

// Reminders page: a federation's staff schedule an event for a list with the "24 h before" preset,
// see the next firing, and watch the run's progress reach 100 % once it fired (the running
// server's delayed job, the batch send path and the simulator's SendGrid).
let sim: Simulator;
test.beforeAll(async () => {
  sim = await startSimulator({ port: 0, webhookDelayMs: 10 });
});
test.afterAll(async () => {
  await sim?.close();
});

test("create an event with the 24 h preset, see the next firing, then the run at 100 %", async ({ page, baseURL }) => {
  test.setTimeout(120_000);
  const unique = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
  const account = sim.createAccount({ provider: "sendgrid" });
  const config = await page.request.post("/api/communication/sendgrid/configs", {
    data: { display_name: `Reminders ${unique}`, from_email: "noreply@example.com", from_name: "Federation", api_base_url: sim.url, credentials: { api_key_ref: account.apiKey, webhook_signing_key_ref: account.publicKey } },
  });
  expect(config.status(), await config.text()).toBe(201);
  const configId = ((await config.json()) as { id: string }).id;
  expect((await page.request.post(`/api/communication/sendgrid/configs/${configId}/transition`, { data: { to: "active" } })).ok()).toBe(true);
  sim.updateAccount(account.id, { webhookUrl: `${baseURL}/api/webhooks/sendgrid/${configId}` });

  const key = `throw-off-${unique}`;
  const template = await page.request.post("/api/v1/templates", {
    data: { key, name: `Throw-off ${unique}`, category: "reminders", content: { default_locale: "en", locales: { en: { email: { subject: "{{ event.title }} tomorrow at {{ event.time }}", html: "<p>Hi {{ contact.first_name }}</p>" } } } } },
  });
  expect(template.status(), await template.text()).toBe(201);
  expect((await page.request.post(`/api/v1/templates/${key}/publish`, { data: {} })).ok()).toBe(true);
  const contactIds: string[] = [];
  for (const n of [1, 2]) {
    const c = await page.request.post("/api/v1/contacts", { data: { name: `Player ${n}`, email: `player${n}.${unique}@example.com`, timezone: "Europe/Stockholm" } });
    expect(c.status()).toBe(201);
    contactIds.push(((await c.json()) as { id: string }).id);
  }
  const list = await page.request.post("/api/v1/lists", { data: { name: `Players ${unique}`, kind: "static" } });
  const listId = ((await list.json()) as { id: string }).id;
  expect((await page.request.post(`/api/v1/lists/${listId}/members`, { data: { contact_ids: contactIds } })).ok()).toBe(true);
  const presetName = `24 h before ${unique}`;
  const preset = await page.request.post("/api/v1/reminder-presets", { data: { name: presetName, rule: { offset: "-24h", channels: [{ channel: "email", template: key }] } } });
  expect(preset.status(), await preset.text()).toBe(201);

  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto("/reminders");
  await expect(page.getByRole("heading", { level: 1, name: "Reminders" })).toBeVisible();
  await page.getByRole("button", { name: "New event" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Title").fill(`Swedish Masters ${unique}`);
  // Throw-off 24 h and 25 s from now, on Stockholm's clock: the 24 h reminder fires in 25 s.
  const start = DateTime.now().setZone("Europe/Stockholm").plus({ hours: 24, seconds: 25 }).startOf("second");
  await dialog.getByLabel("Time zone of the event").fill("Europe/Stockholm");
  await dialog.getByLabel("Starts at").fill(start.toFormat("yyyy-LL-dd'T'HH:mm:ss"));
  await dialog.getByLabel("Location").fill("Boulehallen");
  await dialog.getByLabel("List or segment").click();
  await page.getByRole("option", { name: new RegExp(`Players ${unique}`) }).click();
  await dialog.getByRole("button", { name: presetName }).click();
  await expect(dialog.getByRole("button", { name: presetName })).toHaveAttribute("aria-pressed", "true");
  await dialog.getByRole("button", { name: "Create event" }).click();

  // The event opens in the drawer (its id in the URL) with the next firing.
  await expect(page).toHaveURL(/event=[0-9a-f-]{36}/);
  const drawer = page.getByRole("dialog");
  await expect(drawer.getByTestId("next-firing")).toContainText("24 h before, in ");
  await expect(drawer.getByTestId("next-firing")).toContainText("Europe/Stockholm");

  // It fires on its own; the run's progress (polled) reaches 100 %.
  await expect(drawer.getByTestId("run-percent")).toHaveText("100%", { timeout: 90_000 });
  await expect(drawer.getByText("2 messages")).toBeVisible();
  await expect(drawer.getByTestId("next-firing")).toHaveText("Nothing left to send");
  expect(sim.listMessages({ accountId: account.id })).toHaveLength(2);
  expect(errors).toEqual([]);
});
