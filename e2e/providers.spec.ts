import { startSimulator, type Simulator } from "./simulator/server";
import { expect, test } from "./fixtures";

// The simulator runs in the test process; Herald (another process on this machine) reaches it
// through each config's API base URL.
let sim: Simulator;
test.beforeAll(async () => {
  sim = await startSimulator({ autoDelivery: false });
});
test.afterAll(async () => {
  await sim?.close();
});

test("an owner adds a 46elks config, tests, pauses, rotates and decommissions it without ever seeing a secret", async ({ page }) => {
  const name = `46elks e2e ${Date.now()}`;
  const { username, password } = sim.defaultAccounts.elks;

  await page.goto("/providers");
  await expect(page.getByRole("heading", { name: "Providers" })).toBeVisible();
  await page.getByRole("button", { name: "Add provider" }).first().click();
  const dialog = page.getByRole("dialog");
  await dialog.getByRole("combobox", { name: "Provider" }).click();
  await page.getByRole("option", { name: "46elks" }).click();

  await dialog.getByLabel("Display name").fill(name);
  // Inline validation from the shared schema: 12 characters is one too many.
  await dialog.getByLabel("Sender ID").fill("HeraldSchool");
  await dialog.getByLabel("Sender ID").blur();
  await expect(dialog.getByText("An alphanumeric sender is at most 11 characters")).toBeVisible();
  await dialog.getByLabel("Sender ID").fill("Herald");
  await dialog.getByLabel("API username").fill(username);
  await dialog.getByLabel("API password").fill(password);
  await dialog.getByText("Advanced").click();
  await dialog.getByLabel("API base URL").fill(sim.url);
  await dialog.getByRole("button", { name: "Create draft" }).click();
  await expect(dialog).toBeHidden();

  const card = page.getByRole("listitem").filter({ hasText: name });
  await expect(card.getByTestId("config-status")).toHaveText("draft");
  await expect(card.getByTestId("credential-api_password_ref")).toHaveText("set · never rotated");
  await expect(card.getByText(/\/api\/webhooks\/elks\/[0-9a-f-]{36}\?token=/)).toBeVisible();

  // A passing test never activates a draft: activation is its own step.
  await card.getByRole("button", { name: "Test", exact: true }).click();
  await expect(page.getByText(/still a draft/)).toBeVisible();
  await expect(card.getByTestId("config-status")).toHaveText("draft");
  await card.getByRole("button", { name: "Activate" }).click();
  await expect(card.getByTestId("config-status")).toHaveText("active");

  await card.getByRole("button", { name: "Pause" }).click();
  await expect(card.getByTestId("config-status")).toHaveText("paused");
  await page.getByRole("combobox", { name: "Status filter" }).click();
  await page.getByRole("option", { name: "Active" }).click();
  await expect(page.getByRole("listitem").filter({ hasText: name })).toHaveCount(0);
  await page.getByRole("combobox", { name: "Status filter" }).click();
  await page.getByRole("option", { name: "Paused" }).click();
  await expect(card).toBeVisible();
  await page.getByRole("combobox", { name: "Status filter" }).click();
  await page.getByRole("option", { name: "All statuses" }).click();

  await card.getByRole("button", { name: "Activate" }).click();
  await expect(card.getByTestId("config-status")).toHaveText("active");

  // Rotate: the ref stays, the card reports the rotation date; a wrong password then fails the test.
  await card.getByRole("button", { name: "Edit" }).click();
  await expect(dialog.getByTestId("credential-state-api_password_ref")).toHaveText("set · never rotated");
  await dialog.getByRole("button", { name: "Rotate API password" }).click();
  await dialog.getByLabel("API password").fill("not-the-password");
  await dialog.getByRole("button", { name: "Save changes" }).click();
  await expect(dialog).toBeHidden();
  await expect(card.getByTestId("credential-api_password_ref")).toContainText("set · last rotated");
  await card.getByRole("button", { name: "Test", exact: true }).click();
  await expect(card.getByTestId("config-status")).toHaveText("error");
  await expect(card.getByRole("alert")).toContainText("Last error");
  await expect(card.getByRole("button", { name: "Activate" })).toHaveCount(0);

  await card.getByRole("button", { name: "Edit" }).click();
  await dialog.getByRole("button", { name: "Rotate API password" }).click();
  await dialog.getByLabel("API password").fill(password);
  await dialog.getByRole("button", { name: "Save changes" }).click();
  await expect(dialog).toBeHidden();
  await card.getByRole("button", { name: "Test", exact: true }).click();
  // It never sent: back to draft, activated explicitly.
  await expect(card.getByTestId("config-status")).toHaveText("draft");
  await card.getByRole("button", { name: "Activate" }).click();
  await expect(card.getByTestId("config-status")).toHaveText("active");

  await card.getByRole("button", { name: "Decommission" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Decommission" }).click();
  await expect(card.getByTestId("config-status")).toHaveText("decommissioned");
  await expect(card.getByRole("button", { name: "Test", exact: true })).toHaveCount(0);

  const html = await page.content();
  expect(html).not.toContain(password);
  expect(html).not.toContain("not-the-password");
});

test("bad values are refused inline for each field rule", async ({ page }) => {
  await page.goto("/providers");
  await page.getByRole("button", { name: "Add provider" }).first().click();
  const dialog = page.getByRole("dialog");
  await dialog.getByRole("combobox", { name: "Provider" }).click();
  await page.getByRole("option", { name: "WhatsApp Business Cloud" }).click();
  await dialog.getByLabel("Default language (BCP 47)").fill("not a tag!");
  await dialog.getByLabel("Display phone number").fill("12");
  await dialog.getByRole("button", { name: "Create draft" }).click();
  await expect(dialog.getByText("Use a BCP 47 language tag (e.g. en-US, sv, pt-BR)")).toBeVisible();
  await expect(dialog.getByText(/international format/)).toBeVisible();

  await dialog.getByRole("combobox", { name: "Provider" }).click();
  await page.getByRole("option", { name: "Twilio" }).click();
  await dialog.getByLabel("From number").fill("0700 123");
  await dialog.getByLabel("Supported countries").fill("SE, XX");
  await dialog.getByRole("button", { name: "Create draft" }).click();
  await expect(dialog.getByText(/Use an E\.164 number/)).toBeVisible();
  await expect(dialog.getByText(/ISO 3166-1 alpha-2/)).toBeVisible();

  await dialog.getByRole("combobox", { name: "Provider" }).click();
  await page.getByRole("option", { name: "Mailgun" }).click();
  await expect(dialog.getByText("Region")).toBeVisible();
  await dialog.getByRole("button", { name: "Cancel" }).click();
});

test("a viewer sees configs read-only", async ({ viewerPage }) => {
  await viewerPage.goto("/providers");
  await expect(viewerPage.getByRole("heading", { name: "Providers" })).toBeVisible();
  await expect(viewerPage.getByRole("button", { name: "Add provider" })).toHaveCount(0);
  await expect(viewerPage.getByRole("button", { name: "Decommission" })).toHaveCount(0);
});
