import { expect, test } from "./fixtures";

test.describe("foundation: sign-in, API keys, roles, tenancy", () => {
  test("an owner creates an API key, sees it once, uses it, revokes it", async ({ page, seed }) => {
    await page.goto("/");
    await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
    await page.getByRole("link", { name: "Settings" }).first().click();
    await page.getByRole("tab", { name: "API keys" }).click();
    await page.getByRole("button", { name: "Create API key" }).click();
    const name = `e2e-key-${Date.now()}`;
    await page.getByLabel("Name").fill(name);
    await page.getByRole("button", { name: "Create key" }).click();
    const secret = page.locator('[data-slot="secret-value"]');
    await expect(secret).toBeVisible();
    const key = (await secret.textContent())!.trim();
    expect(key).toMatch(/^hk_/);
    await page.getByRole("button", { name: "Done" }).click();

    // Shown once: the list has only the prefix, and nothing on the page contains the key.
    const row = page.getByTestId(`api-key-row-${name}`);
    await expect(row).toBeVisible();
    expect(await page.content()).not.toContain(key);

    const ok = await page.request.get("/api/v1/me", { headers: { authorization: `Bearer ${key}` } });
    expect(ok.status()).toBe(200);
    expect((await ok.json()).tenant.slug).toBe(seed.tenantA);

    await row.getByRole("button", { name: "Revoke" }).click();
    await page.getByRole("button", { name: "Revoke key" }).click();
    await expect(row.getByText("revoked")).toBeVisible();
    const denied = await page.request.get("/api/v1/me", { headers: { authorization: `Bearer ${key}` } });
    expect(denied.status()).toBe(401);
    expect((await denied.json()).error.code).toBe("unauthorized");
  });

  test("a viewer cannot create keys, in the UI or through the API", async ({ viewerPage }) => {
    await viewerPage.goto("/settings?tab=api-keys");
    await expect(viewerPage.getByText("API keys are managed by admins")).toBeVisible();
    await expect(viewerPage.getByRole("button", { name: "Create API key" })).toHaveCount(0);
    const res = await viewerPage.request.post("/api/v1/api-keys", { data: { name: "sneaky", scopes: ["messages:send"] } });
    expect(res.status()).toBe(403);
    expect((await res.json()).error.code).toBe("forbidden");
  });

  test("another tenant's key answers 404 and never its data", async ({ page, seed }) => {
    const res = await page.request.get(`/api/v1/api-keys/${seed.otherKeyId}`);
    expect(res.status()).toBe(404);
    const body = await res.text();
    expect(body).not.toContain("tenant-b-service");
    const del = await page.request.delete(`/api/v1/api-keys/${seed.otherKeyId}`);
    expect(del.status()).toBe(404);
    // And tenant B's key sees tenant B only.
    const me = await page.request.get("/api/v1/me", { headers: { authorization: `Bearer ${seed.otherKey}` } });
    expect((await me.json()).tenant.slug).toBe(seed.tenantB);
  });

  test("the tenant switcher changes the tenant every page and API call acts on", async ({ page, seed }) => {
    await page.goto("/settings");
    await expect(page.getByText("E2E Federation A · you are owner")).toBeVisible();
    await page.getByTestId("tenant-switcher").first().click();
    await page.getByRole("menuitem", { name: /E2E Federation B/ }).click();
    await expect(page.getByText("E2E Federation B · you are viewer")).toBeVisible();
    const me = await page.request.get("/api/v1/me");
    expect((await me.json()).tenant.slug).toBe(seed.tenantB);
    // As a viewer of B the same person can no longer create keys.
    const res = await page.request.post("/api/v1/api-keys", { data: { name: "x", scopes: ["messages:read"] } });
    expect(res.status()).toBe(403);
  });

  test("signing out ends the session", async ({ page }) => {
    await page.goto("/sign-out");
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/sign-in/);
    await page.goto("/settings");
    await expect(page).toHaveURL(/\/sign-in/);
  });
});
