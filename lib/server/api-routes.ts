// The API's routes as the file system declares them (app/api/**/route.ts and the methods each
// exports). Read by the custom server to answer 405 with `Allow`, and by the bad-input sweep so a
// new route is swept without anyone listing it.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export interface ApiRoute {
  /** `/api/v1/messages/[id]` */
  template: string;
  /** Dynamic segment names in order (`[...x]` included). */
  params: string[];
  methods: HttpMethod[];
  pattern: RegExp;
  /** Static segments count: a more specific route wins when two match. */
  staticSegments: number;
}

const METHOD_NAME = new RegExp(`^(${HTTP_METHODS.join("|")})$`);

/** Method names a route module exports: `export const GET`, `export async function POST`, `export { h as GET }`, `export const { GET, POST } = …`. */
export function exportedMethods(source: string): HttpMethod[] {
  const found = new Set<string>();
  for (const m of source.matchAll(/export\s+(?:const|let|async\s+function|function)\s+([A-Z]+)\b/g)) found.add(m[1]!);
  for (const m of source.matchAll(/export\s+(?:const|let)\s*\{([^}]*)\}\s*=/g)) {
    for (const name of m[1]!.split(",")) found.add(name.trim().split(/\s*:\s*/).at(-1)!);
  }
  for (const m of source.matchAll(/export\s*\{([^}]*)\}/g)) {
    for (const part of m[1]!.split(",")) found.add(part.trim().split(/\s+as\s+/).at(-1)!);
  }
  return HTTP_METHODS.filter((method) => found.has(method) && METHOD_NAME.test(method));
}

function walk(dir: string, out: string[]) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, out);
    else if (entry.name === "route.ts" || entry.name === "route.js") out.push(full);
  }
}

export function listApiRoutes(projectRoot: string): ApiRoute[] {
  const files: string[] = [];
  walk(path.join(projectRoot, "app", "api"), files);
  const routes = files.map((file) => {
    const segments = path
      .relative(path.join(projectRoot, "app"), path.dirname(file))
      .split(path.sep)
      .filter((s) => !/^\(.*\)$/.test(s)); // route groups don't appear in the URL
    const params: string[] = [];
    const regex = segments.map((s) => {
      const dyn = /^\[(\.\.\.)?(.+)\]$/.exec(s);
      if (!dyn) return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      params.push(dyn[2]!);
      return dyn[1] ? ".+" : "[^/]+";
    });
    return {
      template: `/${segments.join("/")}`,
      params,
      methods: exportedMethods(readFileSync(file, "utf8")),
      pattern: new RegExp(`^/${regex.join("/")}/?$`),
      staticSegments: segments.length - params.length,
    };
  });
  return routes.sort((a, b) => b.staticSegments - a.staticSegments || a.template.localeCompare(b.template));
}

/** The route a request path reaches (the most specific match), or undefined. */
export function matchApiRoute(routes: ApiRoute[], pathname: string): ApiRoute | undefined {
  return routes.find((r) => r.pattern.test(pathname));
}

/** The `Allow` header Next would send to OPTIONS: exported methods plus HEAD (with GET) and OPTIONS. */
export function allowHeader(route: ApiRoute): string {
  const allow = new Set<string>([...route.methods, "OPTIONS"]);
  if (allow.has("GET")) allow.add("HEAD");
  return [...allow].sort().join(", ");
}
