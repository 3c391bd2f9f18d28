"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { Channel } from "@/db/schema/messages";
import type { CreateRoutingRuleInput, PatchRoutingRuleInput, RoutePreviewInput, RoutePreviewOut, RoutingRuleOut } from "@/lib/validations/routing-rules";
import { apiFetch } from "./api-client";

export const routingRulesKey = ["routing-rules"] as const;

export interface RoutingRulesList {
  data: RoutingRuleOut[];
  channels: { channel: Channel; uses_defaults: boolean; default_description: string }[];
}

export function useRoutingRules() {
  return useQuery({
    queryKey: routingRulesKey,
    queryFn: ({ signal }) => apiFetch<RoutingRulesList>("/api/v1/routes", { signal }),
  });
}

function useInvalidate() {
  const qc = useQueryClient();
  return () => qc.invalidateQueries({ queryKey: routingRulesKey });
}

export function useCreateRoutingRule() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (body: CreateRoutingRuleInput) => apiFetch<RoutingRuleOut>("/api/v1/routes", { method: "POST", body }),
    onSuccess: invalidate,
  });
}

export function useUpdateRoutingRule() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: PatchRoutingRuleInput }) => apiFetch<RoutingRuleOut>(`/api/v1/routes/${id}`, { method: "PATCH", body }),
    onSuccess: invalidate,
  });
}

export function useDeleteRoutingRule() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (id: string) => apiFetch<void>(`/api/v1/routes/${id}`, { method: "DELETE" }),
    onSuccess: invalidate,
  });
}

export function usePreviewRoute() {
  return useMutation({
    mutationFn: (body: RoutePreviewInput) => apiFetch<RoutePreviewOut>("/api/v1/routes/preview", { method: "POST", body }),
  });
}
