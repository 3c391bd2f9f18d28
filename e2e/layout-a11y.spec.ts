import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { dashboardRoutes } from "./dashboard-pages";
import { expect, test } from "./fixtures";

// Upper bounds (sign-in included) for a loaded 2-core machine; the usual run is far shorter.
test.describe.configure({ timeout: 300_000 });

// Every dashboard page (read from the page files, so new pages are covered), every tab on it,
// and the drawers of a few records: no horizontal overflow at 390 px and 1440 px, and no serious
// or critical axe-core violation (WCAG 2.1 A/AA rules).

async function settle(page: Page) {
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible({ timeout: 20_000 });
  // Loaded when the skeletons are gone (polling pages never go network-idle).
  await expect(page.locator('[data-slot="skeleton"]')).toHaveCount(0, { timeout: 15_000 });
}

/** Elements that stick out past the viewport's right edge (named, for a readable failure). */
async function overflow(page: Page): Promise<{ width: number; offenders: string[] }> {
  return page.evaluate(() => {
    const limit = document.documentElement.clientWidth;
    const offenders: string[] = [];
    for (const el of Array.from(document.querySelectorAll<HTMLElement>("body *"))) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.right > limit + 1 && !el.closest("[data-slot=table-container], [data-slot=tabs-list], [aria-hidden=true]")) {
        const name = `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""}.${String(el.className).split(" ").slice(0, 3).join(".")}`;
        offenders.push(`${name} (right ${Math.round(r.right)})`);
      }
    }
    return { width: document.documentElement.scrollWidth, offenders: offenders.slice(0, 5) };
  });
}

async function axeProblems(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`);
}

/** Each problem is its own soft failure, so one run reports all of them. */
async function checkLayout(page: Page, label: string, width: number) {
  const o = await overflow(page);
  expect.soft(o.width, `${label} @${width}px overflows: ${o.offenders.join(", ")}`).toBeLessThanOrEqual(width);
}

async function checkAxe(page: Page, label: string) {
  expect.soft(await axeProblems(page), `${label}: serious or critical axe violations`).toEqual([]);
}

test("every dashboard page: axe clean and no horizontal overflow at 1440 px", async ({ page }) => {
  const routes = dashboardRoutes();
  expect(routes).toEqual(expect.arrayContaining(["/", "/messages", "/settings", "/schools"]));
  await page.setViewportSize({ width: 1440, height: 900 });
  for (const route of routes) {
    await page.goto(route);
    await settle(page);
    await checkLayout(page, route, 1440);
    await checkAxe(page, route);
  }
});

test("every dashboard page, each of its tabs and record drawers: no horizontal overflow at 390 px", async ({ page }) => {
  // Records whose drawers open from the URL.
  const stamp = Date.now().toString(36);
  const contact = await page.request.post("/api/v1/contacts", { data: { name: `Layout Check ${stamp}`, email: `layout-${stamp}@example.com` } });
  expect(contact.status()).toBe(201);
  const school = await page.request.post("/api/v1/schools", { data: { name: `Layout Check School ${stamp}`, type: "primary", city: "Göteborg" } });
  expect(school.status()).toBe(201);
  const drawers = [`/contacts?contact=${((await contact.json()) as { id: string }).id}`, `/schools?school=${((await school.json()) as { id: string }).id}`];

  await page.setViewportSize({ width: 390, height: 844 });
  for (const route of dashboardRoutes()) {
    await page.goto(route);
    await settle(page);
    await checkLayout(page, route, 390);
    // Then each tab in turn (tabs come and go with the pages; none are listed here).
    const tabs = page.getByRole("main").getByRole("tab");
    for (let i = 0, n = await tabs.count(); i < n; i++) {
      const tab = tabs.nth(i);
      if ((await tab.getAttribute("aria-selected")) === "true") continue;
      const name = (await tab.textContent())?.trim() ?? String(i);
      await tab.click();
      await settle(page);
      await checkLayout(page, `${route} › ${name}`, 390);
    }
  }
  for (const url of drawers) {
    await page.goto(url);
    const drawer = page.getByRole("dialog");
    await expect(drawer).toBeVisible();
    await expect(drawer.locator('[data-slot="skeleton"]')).toHaveCount(0, { timeout: 15_000 });
    await checkLayout(page, `${url} (drawer)`, 390);
    await checkAxe(page, `${url} (drawer)`);
  }
});
