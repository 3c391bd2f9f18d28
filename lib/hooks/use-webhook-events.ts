"use client";

import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import type { WebhookEventListOut, WebhookEventOut, WebhookRejectedRequestListOut, WebhookRejectedRequestOut } from "@/lib/validations/webhook-events";
import { apiFetch } from "./api-client";

export const webhookEventsKey = ["webhook-events"] as const;

export function useWebhookEvents(filters: { provider?: string; status?: string }) {
  return useInfiniteQuery({
    queryKey: [...webhookEventsKey, filters],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => {
      const qs = new URLSearchParams({ limit: "50" });
      if (filters.provider) qs.set("provider", filters.provider);
      if (filters.status) qs.set("status", filters.status);
      if (pageParam) qs.set("cursor", pageParam);
      return apiFetch<WebhookEventListOut>(`/api/v1/webhook-events?${qs}`, { signal });
    },
    getNextPageParam: (last) => last.next_cursor,
    refetchInterval: 15_000,
  });
}

export interface WebhookRejectionItem {
  config_id: string;
  provider: string;
  reason: "replayed_signature";
  count: number;
  last_at: string;
}

/** Signed requests refused as replays (last 7 days). */
export function useWebhookRejections() {
  return useQuery({
    queryKey: [...webhookEventsKey, "rejections"],
    queryFn: ({ signal }) => apiFetch<{ data: WebhookRejectionItem[] }>("/api/v1/webhook-events/rejections", { signal }).then((r) => r.data),
    refetchInterval: 60_000,
  });
}

/** One received event with its payload (the drawer; linkable, so it is fetched by id). */
export function useWebhookEvent(id: string | null) {
  return useQuery({
    queryKey: [...webhookEventsKey, "one", id],
    queryFn: ({ signal }) => apiFetch<WebhookEventOut>(`/api/v1/webhook-events/${encodeURIComponent(id!)}`, { signal }),
    enabled: id !== null,
  });
}

/** Refused requests (bad signature, unknown config, unparsable…), newest first. */
export function useRejectedWebhooks(filters: { provider?: string; reason?: string; configId?: string }) {
  return useInfiniteQuery({
    queryKey: [...webhookEventsKey, "rejected", filters],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => {
      const qs = new URLSearchParams({ limit: "50" });
      if (filters.provider) qs.set("provider", filters.provider);
      if (filters.reason) qs.set("reason", filters.reason);
      if (filters.configId) qs.set("config_id", filters.configId);
      if (pageParam) qs.set("cursor", pageParam);
      return apiFetch<WebhookRejectedRequestListOut>(`/api/v1/webhook-events/rejected?${qs}`, { signal });
    },
    getNextPageParam: (last) => last.next_cursor,
    refetchInterval: 30_000,
  });
}

export function useRejectedWebhook(id: string | null) {
  return useQuery({
    queryKey: [...webhookEventsKey, "rejected", "one", id],
    queryFn: ({ signal }) => apiFetch<WebhookRejectedRequestOut>(`/api/v1/webhook-events/rejected/${encodeURIComponent(id!)}`, { signal }),
    enabled: id !== null,
  });
}
