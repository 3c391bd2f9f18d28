"use client";

import { keepPreviousData, useInfiniteQuery } from "@tanstack/react-query";
import type { AuditItemOut, AuditLogOut } from "@/lib/validations/audit-log";
import { apiFetch } from "./api-client";

export type AuditItem = AuditItemOut;

export interface AuditFilters {
  actor?: string;
  action?: string;
  since?: string;
  until?: string;
}

export function useAuditLog(filters: AuditFilters = {}) {
  return useInfiniteQuery({
    queryKey: ["audit-log", filters],
    initialPageParam: undefined as number | undefined,
    queryFn: ({ pageParam, signal }) => {
      const qs = new URLSearchParams({ limit: "50" });
      for (const [k, v] of Object.entries(filters)) if (v) qs.set(k, v);
      if (pageParam) qs.set("before", String(pageParam));
      return apiFetch<AuditLogOut>(`/api/v1/audit-log?${qs}`, { signal });
    },
    getNextPageParam: (last) => last.next_before ?? undefined,
    placeholderData: keepPreviousData,
  });
}
