import { test as base, expect, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { readSeed, type SeedState } from "./seed-state";

type Person = { email: string; password: string };
type StorageState = Awaited<ReturnType<BrowserContext["storageState"]>>;

async function signIn(page: Page, who: Person) {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  // argon2id verification plus the first dashboard render can take well over 10 s on a 2-core
  // machine while the api project's bad-input sweep runs beside the ui project.
  await expect(page).toHaveURL(/\/$/, { timeout: 30_000 });
}

/**
 * Signs in once through the real form and keeps the cookies. Sessions are stateless JWTs and the
 * active tenant is a cookie, so each test gets its own copy in a fresh context: a test that
 * switches tenant or signs out changes only its own context, never the next test's.
 */
async function signedInState(browser: Browser, who: Person): Promise<StorageState> {
  // A worker-scoped context does not get the config's `use` options: name the base URL.
  const context = await browser.newContext({ baseURL: readSeed().baseUrl });
  try {
    await signIn(await context.newPage(), who);
    return await context.storageState();
  } finally {
    await context.close();
  }
}

/**
 * `seed`: the tenants, people and keys global setup created through the admin CLI.
 * `page` is signed in as tenant A's owner; `viewerPage` as its viewer (signed in once per worker).
 */
export const test = base.extend<{ seed: SeedState; viewerPage: Page }, { ownerState: StorageState; viewerState: StorageState }>({
  ownerState: [async ({ browser }, use) => use(await signedInState(browser, readSeed().owner)), { scope: "worker" }],
  viewerState: [async ({ browser }, use) => use(await signedInState(browser, readSeed().viewer)), { scope: "worker" }],
  seed: async ({}, use) => {
    await use(readSeed());
  },
  storageState: async ({ ownerState }, use) => {
    await use(ownerState);
  },
  viewerPage: async ({ browser, viewerState }, use) => {
    const context = await browser.newContext({ storageState: viewerState });
    await use(await context.newPage());
    await context.close();
  },
});

export { expect, signIn };
