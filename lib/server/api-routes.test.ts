import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { allowHeader, exportedMethods, listApiRoutes, matchApiRoute } from "./api-routes";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

describe("API routes from the file system", () => {
  it("reads every export style", () => {
    expect(exportedMethods("export const GET = withApiAuth(…);\nexport async function POST() {}")).toEqual(["GET", "POST"]);
    expect(exportedMethods("export { handler as GET, POST };")).toEqual(["GET", "POST"]);
    expect(exportedMethods("export const { GET, POST, PUT } = serve({})")).toEqual(["GET", "POST", "PUT"]);
    expect(exportedMethods("export const dynamic = 'force-dynamic'; export const GETTER = 1")).toEqual([]);
  });

  it("lists the app's routes, most specific first, and builds Allow like Next's OPTIONS", () => {
    const routes = listApiRoutes(root);
    const messages = routes.find((r) => r.template === "/api/v1/messages/[id]");
    expect(messages).toMatchObject({ params: ["id"], methods: ["GET"] });
    expect(allowHeader(messages!)).toBe("GET, HEAD, OPTIONS");
    expect(matchApiRoute(routes, "/api/v1/messages/batch")?.template).toBe("/api/v1/messages/batch");
    expect(matchApiRoute(routes, "/api/v1/messages/abc")?.template).toBe("/api/v1/messages/[id]");
    expect(matchApiRoute(routes, "/api/auth/callback/credentials")?.template).toBe("/api/auth/[...nextauth]");
    expect(matchApiRoute(routes, "/api/nope")).toBeUndefined();
  });
});
