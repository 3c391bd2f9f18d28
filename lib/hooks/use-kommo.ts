"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { KommoIntegrationOut, KommoRequestLogOut } from "@/lib/validations/kommo";
import { apiFetch } from "./api-client";

const base = "/api/v1/integrations/kommo";
export const kommoKey = ["integrations", "kommo"] as const;

export function useKommoIntegrations() {
  return useQuery({
    queryKey: kommoKey,
    queryFn: () => apiFetch<{ data: KommoIntegrationOut[] }>(base).then((r) => r.data),
    // A running sync and pending webhooks move on in the background: keep the progress current.
    refetchInterval: (q) => (q.state.data?.some((i) => i.sync.status === "running" || i.pending_webhooks > 0) ? 1500 : 15_000),
  });
}

export function useKommoRequests(id: string | null, filters: { service?: string; ok?: string; before?: string }) {
  const qs = new URLSearchParams({ limit: "50" });
  if (filters.service) qs.set("service", filters.service);
  if (filters.ok) qs.set("ok", filters.ok);
  if (filters.before) qs.set("before", filters.before);
  return useQuery({
    queryKey: [...kommoKey, id, "requests", qs.toString()],
    enabled: id !== null,
    queryFn: () => apiFetch<{ data: KommoRequestLogOut[]; next_before: number | null }>(`${base}/${id}/requests?${qs}`),
    refetchInterval: 5000,
  });
}

function useKommoMutation<B, R>(fn: (b: B) => Promise<R>) {
  const qc = useQueryClient();
  return useMutation({ mutationFn: fn, onSuccess: () => qc.invalidateQueries({ queryKey: kommoKey }) });
}

export function useCreateKommo() {
  return useKommoMutation((body: { subdomain: string; client_id: string; client_secret: string; delete_mode: "exclude" | "delete" }) =>
    apiFetch<KommoIntegrationOut>(base, { method: "POST", body }),
  );
}

export function useSetKommoUnisender(id: string) {
  return useKommoMutation((body: { api_key?: string; list_ids: string[]; delete_mode?: "exclude" | "delete" }) =>
    apiFetch<KommoIntegrationOut>(`${base}/${id}/unisender`, { method: "PUT", body }),
  );
}

export function useStartKommoSync(id: string) {
  return useKommoMutation((mode: "full" | "incremental") => apiFetch<KommoIntegrationOut>(`${base}/${id}/sync?mode=${mode}`, { method: "POST" }));
}

export const kommoAuthorizeHref = (id: string) => `${base}/${id}/authorize`;
