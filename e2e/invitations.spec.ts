import { startSimulator, type Simulator } from "./simulator/server";
import { expect, test } from "./fixtures";

let sim: Simulator;
test.beforeAll(async () => {
  sim = await startSimulator({ autoDelivery: false });
});
test.afterAll(async () => {
  await sim?.close();
});

test("an owner invites a new person, who accepts through the link by choosing a password", async ({ page, browser }) => {
  const email = `invitee-${Date.now()}@example.test`;
  await page.goto("/settings?tab=members");
  await page.getByRole("button", { name: "Invite member" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Email").fill(email);
  await dialog.getByRole("button", { name: "Invite" }).click();
  await expect(dialog.getByRole("heading", { name: "Invitation created" })).toBeVisible();
  const link = (await dialog.getByText(/\/invite\/[\w-]{43}/).textContent())!.match(/https?:\/\/\S+\/invite\/[\w-]{43}/)![0];
  await dialog.getByRole("button", { name: "Done" }).click();
  const row = page.getByTestId(`invitation-row-${email}`);
  await expect(row).toContainText("pending");
  await expect(page.getByTestId(`member-row-${email}`)).toHaveCount(0);

  // The invitee, not signed in, on another browser context (contexts made in a test inherit the
  // signed-in storage state of the fixtures unless told otherwise).
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const invitee = await context.newPage();
  await invitee.goto(new URL(link).pathname);
  await expect(invitee.getByRole("heading", { name: /^Join / })).toBeVisible();
  await invitee.getByLabel("Password", { exact: true }).fill("short");
  await invitee.getByRole("button", { name: /Create account and join/ }).click();
  await expect(invitee.getByText("Use at least 12 characters")).toBeVisible();
  await invitee.getByLabel("Your name (optional)").fill("Ada Invitee");
  await invitee.getByLabel("Password", { exact: true }).fill("a long passphrase of mine");
  await invitee.getByLabel("Repeat the password").fill("a long passphrase of mine");
  await invitee.getByRole("button", { name: /Create account and join/ }).click();
  await expect(invitee).toHaveURL(/\/$/);
  // The link worked once.
  await invitee.goto(new URL(link).pathname);
  await expect(invitee.getByText("This invitation has already been accepted")).toBeVisible();
  await context.close();

  await page.reload();
  await expect(page.getByTestId(`member-row-${email}`)).toContainText("Ada Invitee");
  await expect(page.getByTestId(`invitation-row-${email}`)).toHaveCount(0);
});

test("an owner revokes an invitation after confirming, and a 46elks callback token is rotated from its card", async ({ page }) => {
  const email = `revoked-${Date.now()}@example.test`;
  const invited = await page.request.post("/api/v1/members", { data: { email, role: "viewer" } });
  expect(invited.status()).toBe(201);
  const { accept_url: link } = (await invited.json()) as { accept_url: string };
  await page.goto("/settings?tab=members");
  const row = page.getByTestId(`invitation-row-${email}`);
  await row.getByRole("button", { name: "Revoke" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Revoke" }).click();
  await expect(row).toHaveCount(0);
  await page.goto(new URL(link).pathname);
  await expect(page.getByText("This invitation was revoked")).toBeVisible();

  const { username, password } = sim.defaultAccounts.elks;
  const name = `elks rotate ${Date.now()}`;
  const created = await page.request.post("/api/communication/elks/configs", {
    data: { display_name: name, sender_id: "Herald", api_base_url: sim.url, credentials: { api_username_ref: username, api_password_ref: password } },
  });
  expect(created.status()).toBe(201);
  const before = ((await created.json()) as { dlr_callback_url: string }).dlr_callback_url;
  await page.goto("/providers");
  const card = page.getByRole("listitem").filter({ hasText: name });
  await expect(card.getByText(before)).toBeVisible();
  await card.getByRole("button", { name: "Rotate token" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Rotate token" }).click();
  await expect(card.getByText(before)).toHaveCount(0);
  await expect(card.getByText(/\?token=[\w-]{32}$/)).toBeVisible();
});
