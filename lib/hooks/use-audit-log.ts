"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { apiFetch } from "./api-client";

export interface AuditItem {
  id: number;
  action: string;
  actor: { type: string; id: string | null; label: string };
  target: { type: string; id: string | null };
  details: Record<string, unknown>;
  created_at: string;
}

export function useAuditLog() {
  return useInfiniteQuery({
    queryKey: ["audit-log"],
    initialPageParam: undefined as number | undefined,
    queryFn: ({ pageParam }) =>
      apiFetch<{ data: AuditItem[]; next_before: number | null }>(
        `/api/v1/audit-log?limit=50${pageParam ? `&before=${pageParam}` : ""}`,
      ),
    getNextPageParam: (last) => last.next_before ?? undefined,
  });
}
