"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { MessageDetailOut, MessageListOut } from "@/lib/validations/messages";
import { apiFetch } from "./api-client";

export const messagesKey = ["messages"] as const;

export interface MessageFilters {
  status?: string;
  channel?: string;
  provider?: string;
  config_id?: string;
  q?: string;
  since?: string;
  until?: string;
  /** The messages of one reminder run. */
  reminder_run_id?: string;
}

/** One keyset page of the message log (newest first). */
export function useMessages(filters: MessageFilters, cursor: string | null, limit = 50, opts: { withTotal?: boolean } = {}) {
  return useQuery({
    queryKey: [...messagesKey, "list", filters, cursor, limit, opts.withTotal ?? false],
    queryFn: ({ signal }) => {
      const qs = new URLSearchParams({ limit: String(limit) });
      if (opts.withTotal) qs.set("include_total", "true");
      for (const [k, v] of Object.entries(filters)) if (v) qs.set(k, v);
      if (cursor) qs.set("cursor", cursor);
      return apiFetch<MessageListOut>(`/api/v1/messages?${qs}`, { signal });
    },
    placeholderData: keepPreviousData,
  });
}

export function useMessage(id: string | null) {
  return useQuery({
    queryKey: [...messagesKey, "detail", id],
    queryFn: ({ signal }) => apiFetch<MessageDetailOut>(`/api/v1/messages/${id}`, { signal }),
    enabled: id !== null,
    // A message in flight changes state; refresh while the drawer is open.
    refetchInterval: (q) => (q.state.data && ["queued", "sending"].includes(q.state.data.status) ? 3000 : false),
  });
}
