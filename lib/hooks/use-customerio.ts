"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { CustomerioConfigOut } from "@/lib/validations/customerio";
import { ApiClientError, apiFetch } from "./api-client";

export const customerioKey = ["integrations", "customerio"] as const;
const base = "/api/v1/integrations/customerio";

export type CustomerioFailure = { entity: "person" | "object"; entity_id: string; cio_id: string | null; error: string | null; attempts: number; updated_at: string };

/** The config with counts; null when the tenant has none yet. Polls while a resync or a backlog is in flight. */
export function useCustomerio() {
  return useQuery({
    queryKey: customerioKey,
    queryFn: async ({ signal }) => {
      try {
        return await apiFetch<CustomerioConfigOut>(base, { signal });
      } catch (e) {
        if (e instanceof ApiClientError && e.status === 404) return null;
        throw e;
      }
    },
    refetchInterval: (q) => {
      const d = q.state.data;
      const resyncing = d?.resync && d.resync.done < d.resync.total;
      return (d?.counts.pending ?? 0) > 0 || resyncing ? 2000 : false;
    },
  });
}

export function useCustomerioFailures(enabled: boolean) {
  return useQuery({
    queryKey: [...customerioKey, "failures"],
    queryFn: ({ signal }) => apiFetch<{ data: CustomerioFailure[] }>(`${base}/failures?limit=20`, { signal }),
    enabled,
  });
}

function useCustomerioMutation<B, R>(path: string, method: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: B) => apiFetch<R>(`${base}${path}`, { method, body }),
    onSettled: () => qc.invalidateQueries({ queryKey: customerioKey }),
  });
}

export const useSaveCustomerio = () => useCustomerioMutation<Record<string, unknown>, CustomerioConfigOut>("", "PUT");
export const useSetCustomerioStatus = () => useCustomerioMutation<{ status: "active" | "paused" | "decommissioned" }, CustomerioConfigOut>("/status", "POST");
export const useTestCustomerio = () => useCustomerioMutation<undefined, { ok: boolean; message: string; region: string | null }>("/test", "POST");
export const useResyncCustomerio = () => useCustomerioMutation<{ b2c: boolean; b2b: boolean }, { started_at: string }>("/resync", "POST");
export const useReplayCustomerio = () => useCustomerioMutation<{ entity_ids?: string[] }, { replayed: number }>("/replay", "POST");
