import { test as base, expect, type Page } from "@playwright/test";
import { readSeed, type SeedState } from "./seed-state";

async function signIn(page: Page, who: { email: string; password: string }) {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/$/);
}

/**
 * `seed`: the tenants, people and keys global setup created through the admin CLI.
 * `page` is signed in as tenant A's owner; `viewerPage` as its viewer.
 */
export const test = base.extend<{ seed: SeedState; viewerPage: Page }>({
  seed: async ({}, use) => {
    await use(readSeed());
  },
  page: async ({ page, seed }, use) => {
    await signIn(page, seed.owner);
    await use(page);
  },
  viewerPage: async ({ browser, seed }, use) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, seed.viewer);
    await use(page);
    await context.close();
  },
});

export { expect, signIn };
