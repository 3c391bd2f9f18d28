import { defineConfig, devices } from "@playwright/test";

// Debian's Chromium (browser downloads are not possible on these machines); override with CHROMIUM_PATH.
const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export default defineConfig({
  testDir: "./e2e",
  testMatch: "**/*.spec.ts",
  globalSetup: "./e2e/global-setup.ts",
  fullyParallel: true,
  // One worker in CI: the specs share tenant A, and a spec that sends email there (an invitation,
  // the bad-input sweep) while another counts a config's sends makes that count racy. Per-spec
  // tenants would allow 2 again.
  workers: process.env.CI ? 1 : undefined,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [
    ["list"],
    ["json", { outputFile: ".data/test-reports/playwright.json" }],
    ...(process.env.CI ? [] : ([["html", { open: "never" }]] as const)),
  ],
  use: {
    baseURL: `http://127.0.0.1:${process.env.E2E_PORT ?? 3210}`,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  projects: [
    { name: "api", testMatch: "api/**/*.spec.ts" },
    { name: "ui", testIgnore: "api/**", use: { ...devices["Desktop Chrome"] } },
  ],
});
