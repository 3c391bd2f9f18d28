"use client";

import { usePathname, useSearchParams } from "next/navigation";
import { useCallback, useRef, useState } from "react";

export interface UrlSetOptions {
  /** A new history entry (Back returns to the state before): for opening a drawer, switching a tab, filtering or paging. Typing replaces. */
  push?: boolean;
}

/**
 * Page state kept in the URL (tabs, filters, sort, page, the open drawer), so a view can be
 * shared, reloaded and navigated with Back and Forward. `set` merges into the URL as it is at
 * call time (two calls in one event both land): null or "" removes a key.
 */
export function useUrlState<K extends string>(keys: readonly K[]) {
  const params = useSearchParams();
  const pathname = usePathname();
  const values = Object.fromEntries(keys.map((k) => [k, params.get(k)])) as Record<K, string | null>;
  const set = useCallback(
    (patch: Partial<Record<K, string | null>>, opts: UrlSetOptions = {}) => {
      const next = new URLSearchParams(window.location.search);
      for (const [k, v] of Object.entries(patch) as [K, string | null | undefined][]) {
        if (v === null || v === undefined || v === "") next.delete(k);
        else next.set(k, v);
      }
      const query = next.toString();
      if (query === window.location.search.replace(/^\?/, "")) return;
      const url = query ? `${pathname}?${query}` : pathname;
      // The History API (which Next's router follows) changes the URL without a server round trip:
      // this state is the client's.
      if (opts.push) window.history.pushState(null, "", url);
      else window.history.replaceState(null, "", url);
    },
    [pathname],
  );
  return [values, set] as const;
}

/** Several values of one facet in one parameter (`type=high,primary`). */
export function splitList(value: string | null): string[] {
  return value ? value.split(",").filter(Boolean) : [];
}
export function joinList(values: readonly string[]): string | null {
  return values.length ? values.join(",") : null;
}

/**
 * Keyset pagination in the URL: `cursor` is the page shown and `page` its number, so a page can
 * be linked and Back steps through pages. Previous uses the cursors seen in this visit; after a
 * deep link to a later page it goes to the first page.
 */
export function useUrlCursor(prefix = "") {
  const cursorKey = `${prefix}cursor`;
  const pageKey = `${prefix}page`;
  const [url, set] = useUrlState([cursorKey, pageKey]);
  const seen = useRef<(string | null)[]>([]);
  const page = Math.max(1, Number(url[pageKey] ?? 1) || 1);
  const cursor = url[cursorKey] ?? null;
  return {
    cursor,
    page,
    hasPrevious: page > 1,
    /** Merge into a filter change so filtering and going back to page 1 are one history entry. */
    resetPatch: { [cursorKey]: null, [pageKey]: null } as Record<string, null>,
    goNext: (next: string) => {
      seen.current = [...seen.current.slice(0, page - 1), cursor];
      set({ [cursorKey]: next, [pageKey]: String(page + 1) } as Record<string, string>, { push: true });
    },
    goPrevious: () => {
      const previous = seen.current[page - 2];
      if (page > 2 && previous !== undefined) set({ [cursorKey]: previous, [pageKey]: String(page - 1) } as Record<string, string | null>, { push: true });
      else set({ [cursorKey]: null, [pageKey]: null } as Record<string, null>, { push: true });
    },
  };
}

/**
 * A text box bound to a URL value it writes later (on submit or after a pause): it follows the
 * URL when Back/Forward changes it, and keeps what the user is typing otherwise (`same` says
 * when the box already shows the URL's value, e.g. up to spaces).
 */
export function useUrlInput(urlValue: string | null, same: (input: string, url: string) => boolean = (a, b) => a.trim() === b) {
  const [input, setInput] = useState(urlValue ?? "");
  const [seen, setSeen] = useState(urlValue);
  if (seen !== urlValue) {
    setSeen(urlValue);
    if (!same(input, urlValue ?? "")) setInput(urlValue ?? "");
  }
  return [input, setInput] as const;
}
