import type { Page } from "@playwright/test";
import { dashboardRoutes } from "./dashboard-pages";
import { expect, test } from "./fixtures";

// Every dashboard page (read from the page files, so a new page is covered) renders for an owner
// and for a viewer without a client-side error. Known pages must show their own heading.
const headings: Record<string, string> = {
  "/": "Overview",
  "/messages": "Messages",
  "/providers": "Providers",
  "/webhooks": "Webhooks",
  "/reminders": "Reminders",
  "/contacts": "Contacts",
  "/lists": "Lists",
  "/media": "Media",
  "/schools": "Schools",
  "/calls": "Calls",
  "/settings": "Settings",
  "/integrations": "Integrations",
};

async function visitAll(p: Page) {
  const routes = dashboardRoutes();
  expect(routes).toEqual(expect.arrayContaining(Object.keys(headings)));
  for (const route of routes) {
    const errors: string[] = [];
    const onError = (e: Error) => errors.push(e.message);
    p.on("pageerror", onError);
    await p.goto(route);
    const name = headings[route];
    await expect(p.getByRole("heading", { level: 1, ...(name ? { name } : {}) })).toBeVisible({ timeout: 20_000 });
    // Loaded when the skeletons are gone (polling pages never go network-idle).
    await expect(p.locator('[data-slot="skeleton"]')).toHaveCount(0, { timeout: 15_000 });
    p.off("pageerror", onError);
    expect(errors, `client errors on ${route}`).toEqual([]);
  }
}

test("every page renders for an owner without errors", async ({ page }) => {
  test.setTimeout(180_000);
  await visitAll(page);
});

test("every page renders for a viewer without errors", async ({ viewerPage }) => {
  test.setTimeout(180_000);
  await visitAll(viewerPage);
});
