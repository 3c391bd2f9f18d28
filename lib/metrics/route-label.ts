// The route label of a request: the route's pattern (`/api/v1/messages/[id]`), never the raw path,
// so the number of label values is bounded by the number of routes whatever clients send.
import type { ApiRoute } from "@/lib/server/api-routes";

interface Node {
  statics: Map<string, Node>;
  dynamic?: Node;
  catchAll?: string;
  template?: string;
}

const node = (): Node => ({ statics: new Map() });

/** Requests outside /api are grouped: the label set stays small however many pages there are. */
export const PAGE_ROUTE = "(page)";
export const STATIC_ROUTE = "(static)";
export const UNMATCHED_ROUTE = "(unmatched)";

/**
 * A segment trie over the API routes (static segments before dynamic ones, as Next resolves
 * them): a lookup walks the path's segments once instead of testing every route's pattern.
 */
export function routeLabeller(routes: readonly ApiRoute[]): (pathname: string) => string {
  const root = node();
  for (const r of routes) {
    let n = root;
    let catchAll = false;
    for (const seg of r.template.split("/").slice(1)) {
      const dyn = /^\[(\.\.\.)?.+\]$/.exec(seg);
      if (dyn?.[1]) {
        // A catch-all is the template's last segment and takes one or more path segments.
        n.catchAll ??= r.template;
        catchAll = true;
        break;
      }
      if (dyn) n = n.dynamic ??= node();
      else {
        let next = n.statics.get(seg);
        if (!next) n.statics.set(seg, (next = node()));
        n = next;
      }
    }
    if (!catchAll) n.template ??= r.template;
  }

  const match = (n: Node, segs: string[], i: number): string | undefined => {
    if (i === segs.length) return n.template;
    const s = n.statics.get(segs[i]!);
    const viaStatic = s && match(s, segs, i + 1);
    if (viaStatic) return viaStatic;
    const viaDynamic = n.dynamic && match(n.dynamic, segs, i + 1);
    return viaDynamic ?? n.catchAll;
  };

  return (pathname) => {
    if (pathname.startsWith("/_next/")) return STATIC_ROUTE;
    if (pathname !== "/api" && !pathname.startsWith("/api/")) return PAGE_ROUTE;
    const trimmed = pathname.length > 1 && pathname.endsWith("/") ? pathname.slice(0, -1) : pathname;
    return match(root, trimmed.split("/").slice(1), 0) ?? UNMATCHED_ROUTE;
  };
}
