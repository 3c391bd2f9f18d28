import { createFormatter } from "../lib/format";
import { startSimulator, type Simulator } from "./simulator/server";
import { expect, test } from "./fixtures";

// Upper bounds (sign-in included) for a loaded 2-core machine; the usual run is far shorter.
test.describe.configure({ timeout: 180_000 });

// Views are links: a message opens from /messages?id=…, a filtered log is a URL that Back and
// Forward walk through, closing the drawer puts focus back on its row, and the user's time zone
// decides how every table shows an instant.

let sim: Simulator;
test.beforeAll(async () => {
  sim = await startSimulator({ port: 0, webhookDelayMs: 10 });
});
test.afterAll(async () => {
  await sim?.close();
});

test("deep links to a message and a filtered view; Back/Forward; focus returns; the time zone setting changes the table", async ({ page }) => {
  const account = sim.createAccount({ provider: "sendgrid" });
  const created = await page.request.post("/api/communication/sendgrid/configs", {
    data: {
      display_name: `Links ${Date.now().toString(36)}`,
      from_email: "noreply@example.com",
      from_name: "Herald",
      api_base_url: sim.url,
      credentials: { api_key_ref: account.apiKey, webhook_signing_key_ref: account.publicKey },
    },
  });
  expect(created.status()).toBe(201);
  const config = (await created.json()) as { id: string };
  expect((await page.request.post(`/api/communication/sendgrid/configs/${config.id}/transition`, { data: { to: "active" } })).ok()).toBe(true);
  const recipient = `deeplink-${Date.now().toString(36)}@example.com`;
  const sent = await page.request.post("/api/v1/messages", {
    data: { channel: "email", config_id: config.id, to: [{ email: recipient }], subject: "Linked", body_text: "Hi" },
  });
  expect(sent.status()).toBe(202);
  const { id } = (await sent.json()) as { id: string };

  // A link straight to the message opens its drawer.
  await page.goto(`/messages?id=${id}`);
  const drawer = page.getByRole("dialog", { name: "Message" });
  await expect(drawer).toBeVisible();
  await expect(drawer.getByText(id, { exact: true })).toBeVisible();
  await expect(drawer.getByText(recipient, { exact: true })).toBeVisible();

  // Closing it drops the id from the URL and puts focus on the message's row.
  await page.keyboard.press("Escape");
  await expect(drawer).toBeHidden();
  await expect(page).toHaveURL((u) => !u.searchParams.has("id"));
  await expect(page.locator(`[data-row-id="${id}"]`)).toBeFocused();

  // A search is a URL: the total counts it, and Back/Forward step between the views.
  await page.getByLabel("Recipient or id").fill(recipient);
  await page.getByRole("button", { name: "Search messages" }).click();
  await expect(page).toHaveURL((u) => u.searchParams.get("q") === recipient);
  await expect(page.getByTestId("message-total")).toHaveText("1 message", { timeout: 30_000 });
  await expect(page.getByRole("link", { name: "Export CSV" })).toHaveAttribute("href", `/api/v1/messages/export?q=${encodeURIComponent(recipient)}`);
  await page.getByLabel("Status").click();
  await page.getByRole("option", { name: "failed" }).click();
  await expect(page).toHaveURL((u) => u.searchParams.get("status") === "failed");
  await expect(page.getByText("No messages match these filters")).toBeVisible();
  await page.goBack();
  await expect(page).toHaveURL((u) => u.searchParams.get("q") === recipient && !u.searchParams.has("status"));
  await expect(page.locator(`[data-row-id="${id}"]`)).toBeVisible();
  await page.goForward();
  await expect(page.getByText("No messages match these filters")).toBeVisible();

  // The filtered view reloads as a link, and the message opens by id from the search box.
  await page.goto(`/messages?q=${id}`);
  await expect(page.getByTestId("message-total")).toHaveText("1 message", { timeout: 30_000 });
  await expect(page.getByLabel("Recipient or id")).toHaveValue(id);

  // The user's time zone decides how the table shows the instant.
  const cell = page.locator(`[data-row-id="${id}"] td`).first();
  const stored = (await (await page.request.get(`/api/v1/messages/${id}`)).json()) as { created_at: string };
  const normalise = (s: string) => s.replace(/[\s\u202f]+/g, " ").trim();
  try {
    for (const [zone, label] of [
      ["Asia/Tokyo", "GMT+9"],
      ["UTC", "UTC"],
    ] as const) {
      await page.goto("/settings?tab=account");
      // A choice made before the page hydrates is reset by React: choose until the form has it.
      const save = page.getByRole("button", { name: "Save" });
      await expect(async () => {
        await page.getByLabel("Time zone").selectOption(zone);
        await expect(save).toBeEnabled({ timeout: 1_000 });
      }).toPass({ timeout: 20_000 });
      await save.click();
      await expect(page.getByText("Display preferences saved")).toBeVisible();
      await page.goto(`/messages?q=${id}`);
      await expect(page.getByRole("columnheader", { name: `Created (${label})` })).toBeVisible();
      // The same module formats in the browser: the cell is exactly this instant in that zone.
      const expected = createFormatter({ timeZone: zone, locale: "en-US" }).dateTime(stored.created_at);
      // innerText waits for the cell without a limit of its own; bound it so a missing row fails here.
      await expect.poll(async () => normalise(await cell.innerText({ timeout: 10_000 })), { timeout: 20_000 }).toBe(normalise(expected));
    }
  } finally {
    await page.request.patch("/api/v1/me/preferences", { data: { timezone: null, locale: null }, timeout: 20_000 });
  }
});
