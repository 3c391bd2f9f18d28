import amqp from "amqplib";
import { expect, test } from "./fixtures";

// Settings → Event bus: an admin adds a binding, disables it (confirmed), deletes it (confirmed);
// a viewer sees the list but cannot change it.
test.describe("event bus bindings", () => {
  test("an owner adds, disables and deletes a binding", async ({ page }) => {
    const key = `e2e-${Date.now().toString(36)}`;
    let queue: string | undefined;
    let exchange: string | undefined;
    let dlq: string | undefined;
    try {
      await page.goto("/settings?tab=bus");
      await expect(page.getByTestId("bus-consumer-status")).toBeVisible({ timeout: 30_000 });
      await page.getByRole("button", { name: "Add binding" }).click();
      await page.getByRole("textbox", { name: "Key" }).fill("Not valid!");
      await page.getByRole("button", { name: "Add binding" }).last().click();
      await expect(page.getByText(/lower-case letters, digits, _ or -/)).toBeVisible();
      await page.getByRole("textbox", { name: "Key" }).fill(key);
      await page.getByLabel("Description (optional)").fill("Alerts from the device platform");
      await page.getByRole("button", { name: "Add binding" }).last().click();

      const row = page.getByTestId(`bus-binding-row-${key}`);
      await expect(row).toBeVisible();
      await expect(row.getByText(new RegExp(`\\.${key}$`)).first()).toBeVisible();
      const listed = await (await page.request.get("/api/v1/bus-bindings")).json();
      const mine = listed.data.find((b: { key: string }) => b.key === key);
      queue = mine?.queue;
      exchange = mine?.exchange;
      dlq = mine?.dead_letter_queue;
      expect(queue).toBeTruthy();

      await row.getByRole("switch", { name: `Disable binding ${key}` }).click();
      await page.getByRole("button", { name: "Disable binding" }).click();
      await expect(row.getByRole("switch", { name: `Enable binding ${key}` })).toHaveAttribute("data-state", "unchecked");

      await row.getByRole("button", { name: "Delete" }).click();
      await page.getByRole("button", { name: "Delete binding" }).click();
      await expect(row).toHaveCount(0);
    } finally {
      // The server's consumer declared the binding's queue, the dead-letter queue and the exchange
      // on the shared broker for this binding: remove what this test made.
      if (queue) {
        const listed = await (await page.request.get("/api/v1/bus-bindings")).json().catch(() => null);
        const conn = await amqp.connect(process.env.RABBITMQ_URL ?? "amqp://guest:guest@127.0.0.1:5672");
        const ch = await conn.createChannel();
        ch.on("error", () => {});
        await ch.deleteQueue(queue).catch(() => {});
        if (listed && listed.data.length === 0) {
          if (dlq) await ch.deleteQueue(dlq).catch(() => {});
          if (exchange) await ch.deleteExchange(exchange).catch(() => {});
        }
        await conn.close().catch(() => {});
      }
    }
  });

  test("a viewer sees the bindings but cannot add one, in the UI or through the API", async ({ viewerPage }) => {
    await viewerPage.goto("/settings?tab=bus");
    // The list has loaded once the consumer's status shows beside it.
    await expect(viewerPage.getByTestId("bus-consumer-status")).toBeVisible({ timeout: 30_000 });
    await expect(viewerPage.getByRole("button", { name: "Add binding" })).toHaveCount(0);
    const denied = await viewerPage.request.post("/api/v1/bus-bindings", { data: { key: `e2e-viewer-${Date.now().toString(36)}` } });
    expect(denied.status()).toBe(403);
  });
});
