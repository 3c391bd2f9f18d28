"use client";

import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { DeadLetterFilterInput, DeadLetterListOut, ReplayBody, ReplayResultOut } from "@/lib/validations/dead-letters";
import { apiFetch } from "./api-client";
import { messagesKey } from "./use-messages";

export const deadLettersKey = ["dead-letters"] as const;

/** One keyset page of dead letters (newest first). */
export function useDeadLetters(filters: DeadLetterFilterInput, cursor: string | null, limit = 50) {
  return useQuery({
    queryKey: [...deadLettersKey, "list", filters, cursor, limit],
    queryFn: ({ signal }) => {
      const qs = new URLSearchParams({ limit: String(limit) });
      for (const [k, v] of Object.entries(filters)) if (v) qs.set(k, String(v));
      if (cursor) qs.set("cursor", cursor);
      return apiFetch<DeadLetterListOut>(`/api/v1/dead-letters?${qs}`, { signal });
    },
    placeholderData: keepPreviousData,
  });
}

export function useReplayDeadLetters() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: ReplayBody) => apiFetch<ReplayResultOut>("/api/v1/dead-letters/replay", { method: "POST", body }),
    onSettled: async () => {
      await Promise.all([qc.invalidateQueries({ queryKey: deadLettersKey }), qc.invalidateQueries({ queryKey: messagesKey })]);
    },
  });
}
