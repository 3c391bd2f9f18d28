"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { TenantSettingsBody, TenantSettingsOut, UserPreferencesBody, UserPreferencesOut } from "@/lib/validations/preferences";
import { apiFetch } from "./api-client";

export function useUpdatePreferences() {
  return useMutation({
    mutationFn: (body: { timezone?: string | null; locale?: string | null } & Partial<UserPreferencesBody>) =>
      apiFetch<UserPreferencesOut>("/api/v1/me/preferences", { method: "PATCH", body }),
  });
}

const tenantKey = ["tenant-settings"] as const;

export function useTenantSettings() {
  return useQuery({ queryKey: tenantKey, queryFn: ({ signal }) => apiFetch<TenantSettingsOut>("/api/v1/tenant", { signal }) });
}

export function useUpdateTenantSettings() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: TenantSettingsBody) => apiFetch<TenantSettingsOut>("/api/v1/tenant", { method: "PATCH", body }),
    onSuccess: (data) => {
      qc.setQueryData(tenantKey, data);
      // Usage and call counters start their day in the new zone.
      void qc.invalidateQueries({ queryKey: ["usage"] });
      void qc.invalidateQueries({ queryKey: ["calls"] });
    },
  });
}
