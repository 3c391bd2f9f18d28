import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const dashboard = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "app", "(dashboard)");

/**
 * Every static dashboard route, read from the page files under app/(dashboard): a page added by
 * anyone is checked without touching the specs. Route groups are dropped; private folders
 * (`_components`) and dynamic segments (`[id]`) are skipped.
 */
export function dashboardRoutes(dir = dashboard, prefix = ""): string[] {
  const entries = readdirSync(dir, { withFileTypes: true });
  const routes = entries.some((e) => e.isFile() && e.name === "page.tsx") ? [prefix || "/"] : [];
  for (const e of entries) {
    if (!e.isDirectory() || e.name.startsWith("_") || e.name.startsWith("[")) continue;
    const segment = /^\(.*\)$/.test(e.name) ? "" : `/${e.name}`;
    routes.push(...dashboardRoutes(path.join(dir, e.name), `${prefix}${segment}`));
  }
  return routes.sort();
}
