"use client";

import * as React from "react";
import { Tabs } from "@/components/ui/tabs";
import { useUrlState } from "@/lib/hooks/use-url-state";

/**
 * Tabs whose selection is the URL's `param` (default `tab`): linkable, and Back returns to the
 * previous tab. The default tab keeps the URL clean.
 */
export function UrlTabs({
  param = "tab",
  values,
  defaultValue,
  children,
  ...props
}: Omit<React.ComponentProps<typeof Tabs>, "value" | "onValueChange" | "defaultValue"> & {
  param?: string;
  values: readonly string[];
  defaultValue: string;
}) {
  const [url, set] = useUrlState([param]);
  const current = url[param];
  const value = current && values.includes(current) ? current : defaultValue;
  return (
    <Tabs value={value} onValueChange={(v) => set({ [param]: v === defaultValue ? null : v }, { push: true })} {...props}>
      {children}
    </Tabs>
  );
}
