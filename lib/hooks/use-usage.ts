"use client";

import { useQuery } from "@tanstack/react-query";
import type { OverviewOut, OverviewRange, UsageOut } from "@/lib/validations/usage";
import { apiFetch } from "./api-client";

export const usageKey = ["usage"] as const;

export function useOverview(range: OverviewRange, initialData?: OverviewOut) {
  return useQuery({
    queryKey: [...usageKey, "overview", range],
    queryFn: ({ signal }) => apiFetch<OverviewOut>(`/api/v1/usage/overview?range=${range}`, { signal }),
    initialData: initialData?.range === range ? initialData : undefined,
    refetchInterval: 60_000,
  });
}

/** Last 30 days of one config, daily, with its quota burn. */
export function useConfigUsage(configId: string) {
  return useQuery({
    queryKey: [...usageKey, "config", configId],
    queryFn: ({ signal }) => {
      const from = new Date(Date.now() - 30 * 86_400_000).toISOString();
      return apiFetch<UsageOut>(`/api/v1/usage?config_id=${configId}&granularity=day&from=${encodeURIComponent(from)}`, { signal });
    },
    refetchInterval: 60_000,
  });
}
