import { expect, test } from "./fixtures";

// Every dashboard page renders for an owner and a viewer without a client-side error.
const pages: [path: string, heading: string][] = [
  ["/", "Overview"],
  ["/messages", "Messages"],
  ["/providers", "Providers"],
  ["/webhooks", "Webhooks"],
  ["/reminders", "Reminders"],
  ["/schools", "Schools"],
  ["/calls", "Calls"],
  ["/settings", "Settings"],
];

for (const [path, heading] of pages) {
  test(`${path} renders without errors`, async ({ page, viewerPage }) => {
    for (const p of [page, viewerPage]) {
      const errors: string[] = [];
      p.on("pageerror", (e) => errors.push(e.message));
      await p.goto(path);
      await expect(p.getByRole("heading", { level: 1, name: heading })).toBeVisible();
      await p.waitForLoadState("networkidle");
      expect(errors, `client errors on ${path}`).toEqual([]);
    }
  });
}
