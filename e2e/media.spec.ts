import { randomBytes } from "node:crypto";
import { expect, test } from "./fixtures";

// Media: upload an image (checked against a use), see it listed, open it (preview, id, state in
// the URL), refuse a file the use cannot send, delete with confirmation.
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==", "base64");

test("uploads, previews, refuses a wrong type and deletes media", async ({ page }) => {
  const name = `logo-${randomBytes(3).toString("hex")}.png`;
  await page.goto("/media");
  await expect(page.getByRole("heading", { level: 1, name: "Media" })).toBeVisible();

  await page.getByLabel("File", { exact: true }).setInputFiles({ name: "terms.png", mimeType: "image/png", buffer: Buffer.from("%PDF-1.4\nnot an image") });
  await page.getByRole("combobox", { name: "Check against" }).click();
  await page.getByRole("option", { name: /^WhatsApp image/ }).click();
  await page.getByRole("button", { name: "Upload" }).click();
  await expect(page.getByText(/WhatsApp image: image\/jpeg, image\/png only; this file is application\/pdf/)).toBeVisible();

  await page.getByLabel("File", { exact: true }).setInputFiles({ name, mimeType: "image/png", buffer: PNG });
  await page.getByRole("button", { name: "Upload" }).click();
  await expect(page.getByText(`Stored ${name}`)).toBeVisible();

  await page.getByRole("button", { name, exact: true }).click();
  await expect(page).toHaveURL(/media=[0-9a-f-]{36}/);
  const drawer = page.getByRole("dialog");
  await expect(drawer.getByRole("img", { name })).toBeVisible();
  await expect(drawer.getByText("image/png")).toBeVisible();
  await expect(drawer.getByRole("button", { name: "Copy media id" })).toBeVisible();
  // The open drawer is in the URL.
  await page.reload();
  await expect(page.getByRole("dialog").getByRole("img", { name })).toBeVisible();

  await page.getByRole("dialog").getByRole("button", { name: `Delete ${name}` }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Delete file" }).click();
  await expect(page.getByText(`Deleted ${name}`)).toBeVisible();
  await expect(page.getByRole("button", { name, exact: true })).toHaveCount(0);
});
