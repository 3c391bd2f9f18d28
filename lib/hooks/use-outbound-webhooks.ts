"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { CreateWebhookEndpointBody, WebhookDeliveryOut, WebhookEndpointOut } from "@/lib/validations/outbound-webhooks";
import { apiFetch } from "./api-client";

export type WebhookEndpointItem = WebhookEndpointOut;
export type WebhookEndpointWithSecret = WebhookEndpointOut & { secret: string };
export type WebhookDeliveryItem = WebhookDeliveryOut;

export const webhookEndpointsKey = ["webhook-endpoints"] as const;
const deliveriesKey = (endpointId: string) => ["webhook-endpoints", endpointId, "deliveries"] as const;

export function useWebhookEndpoints() {
  return useQuery({
    queryKey: webhookEndpointsKey,
    queryFn: () => apiFetch<{ data: WebhookEndpointItem[] }>("/api/v1/webhook-endpoints").then((r) => r.data),
  });
}

export function useWebhookDeliveries(endpointId: string | null) {
  return useQuery({
    queryKey: deliveriesKey(endpointId ?? "none"),
    enabled: endpointId !== null,
    queryFn: () => apiFetch<{ data: WebhookDeliveryItem[] }>(`/api/v1/webhook-endpoints/${endpointId}/deliveries?limit=50`).then((r) => r.data),
    // Retries are scheduled in the background: keep the open log current.
    refetchInterval: 5000,
  });
}

function useInvalidate() {
  const qc = useQueryClient();
  return () => qc.invalidateQueries({ queryKey: webhookEndpointsKey });
}

export function useCreateWebhookEndpoint() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (body: CreateWebhookEndpointBody) => apiFetch<WebhookEndpointWithSecret>("/api/v1/webhook-endpoints", { method: "POST", body }),
    onSuccess: invalidate,
  });
}

export function useUpdateWebhookEndpoint() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({ id, ...body }: { id: string; status?: "enabled" | "disabled"; description?: string; event_types?: string[]; url?: string }) =>
      apiFetch<WebhookEndpointItem>(`/api/v1/webhook-endpoints/${id}`, { method: "PATCH", body }),
    onSuccess: invalidate,
  });
}

export function useEnableWebhookEndpoint() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (id: string) => apiFetch<WebhookEndpointItem>(`/api/v1/webhook-endpoints/${id}/enable`, { method: "POST" }),
    onSuccess: invalidate,
  });
}

export function useRotateWebhookSecret() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({ id, overlapHours }: { id: string; overlapHours: number }) =>
      apiFetch<WebhookEndpointWithSecret>(`/api/v1/webhook-endpoints/${id}/rotate-secret`, { method: "POST", body: { overlap_hours: overlapHours } }),
    onSuccess: invalidate,
  });
}

export function useDeleteWebhookEndpoint() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (id: string) => apiFetch<void>(`/api/v1/webhook-endpoints/${id}`, { method: "DELETE" }),
    onSuccess: invalidate,
  });
}

export function useResendWebhookDelivery() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (id: string) => apiFetch<WebhookDeliveryItem>(`/api/v1/webhook-deliveries/${id}/resend`, { method: "POST" }),
    onSuccess: invalidate,
  });
}
