import { expect, test } from "./fixtures";

// Templates page: create a template, edit it, preview it for a real contact (the email rendered in a
// sandboxed iframe), publish it and see the version.
test("create a template and preview it for a contact", async ({ page }) => {
  const unique = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
  const email = `ada.${unique}@example.com`;
  const contact = await page.request.post("/api/v1/contacts", { data: { name: `Ada ${unique}`, email, locale: "sv-SE" } });
  expect(contact.status(), await contact.text()).toBe(201);

  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto("/templates");
  await expect(page.getByRole("heading", { level: 1, name: "Templates" })).toBeVisible();
  await page.getByRole("button", { name: "New template" }).first().click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Name").fill(`Match day ${unique}`);
  await expect(dialog.getByLabel("Key")).toHaveValue(`match-day-${unique}`);
  await dialog.getByRole("button", { name: "Create template" }).click();

  // The editor of the new template is open, and that is in the URL.
  await expect(page).toHaveURL(new RegExp(`template=match-day-${unique}`));
  await expect(page.getByRole("heading", { level: 1, name: `Match day ${unique}` })).toBeVisible();
  await page.getByLabel("Subject").fill("Hej {{ contact.first_name }}, match {{ data.date }}");
  await page.getByLabel("HTML body").fill("<p>Hej <b>{{ contact.first_name }}</b>, vi ses {{ data.date }}.</p>");

  // Without the variables the preview names every missing one.
  const missing = page.getByRole("alert").filter({ hasText: "variables this send does not provide" });
  await expect(missing.getByText("data.date", { exact: true })).toBeVisible();
  await expect(missing.getByText("contact.first_name", { exact: true })).toBeVisible();

  await page.getByLabel("Contact", { exact: true }).fill(email);
  await page.getByLabel("Contact for the preview").selectOption({ label: `Ada ${unique} · ${email} · sv-SE` });
  await page.getByLabel("data (JSON)").fill('{ "date": "2026-12-05" }');
  await expect(page.getByTestId("preview-subject")).toHaveText("Hej Ada, match 2026-12-05");
  const frame = page.locator('iframe[title="Email preview"]');
  await expect(frame).toHaveAttribute("sandbox", "");
  await expect(page.frameLocator('iframe[title="Email preview"]').locator("b")).toHaveText("Ada");

  await page.getByRole("button", { name: "Publish" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Publish" }).click();
  await expect(page.getByText("Live: v1")).toBeVisible();
  await page.getByRole("tab", { name: "Versions" }).click();
  await expect(page).toHaveURL(/tab=versions/);
  await expect(page.getByRole("cell", { name: /v1\s*Live/ })).toBeVisible();
  expect(errors).toEqual([]);
});
