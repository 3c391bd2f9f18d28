"use client";

import { createContext, useContext, useMemo, useSyncExternalStore } from "react";
import { createFormatter, DEFAULT_PREFS, type Formatter, type FormatPrefs } from "@/lib/format";

/** A user's stored display preferences; null falls back to the browser's. */
export interface StoredPreferences {
  timezone: string | null;
  locale: string | null;
}

const noSubscribe = () => () => {};
const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || DEFAULT_PREFS.timeZone;
const browserLocale = () => (typeof navigator !== "undefined" && navigator.language) || DEFAULT_PREFS.locale;

const FormatContext = createContext<Formatter>(createFormatter(DEFAULT_PREFS));

/**
 * Gives every client component below it the user's formatter. The browser's zone and locale are
 * read after hydration (the server cannot know them), so a user without stored preferences gets a
 * server render in UTC and the client's zone right after, without a hydration mismatch.
 */
export function FormatProvider({ preferences, children }: { preferences: StoredPreferences; children: React.ReactNode }) {
  const zone = useSyncExternalStore(noSubscribe, browserZone, () => DEFAULT_PREFS.timeZone);
  const locale = useSyncExternalStore(noSubscribe, browserLocale, () => DEFAULT_PREFS.locale);
  const prefs: FormatPrefs = { timeZone: preferences.timezone ?? zone, locale: preferences.locale ?? locale };
  const formatter = useMemo(() => createFormatter(prefs), [prefs.timeZone, prefs.locale]); // eslint-disable-line react-hooks/exhaustive-deps
  return <FormatContext.Provider value={formatter}>{children}</FormatContext.Provider>;
}

/** The user's formatter: dates with seconds and zone, chart ticks, numbers, date-filter bounds. */
export function useFormat(): Formatter {
  return useContext(FormatContext);
}

/** The browser's own zone and locale (what "default" means in the settings form). */
export function useBrowserPreferences(): FormatPrefs {
  const timeZone = useSyncExternalStore(noSubscribe, browserZone, () => DEFAULT_PREFS.timeZone);
  const locale = useSyncExternalStore(noSubscribe, browserLocale, () => DEFAULT_PREFS.locale);
  return { timeZone, locale };
}
