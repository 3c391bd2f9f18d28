"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type {
  ProviderConfigListOut,
  ProviderConfigOut,
  ProviderConfigStatus,
  ProviderKind,
  TestResultOut,
  TransitionTarget,
} from "@/lib/validations/provider-configs";
import { providerKinds } from "@/lib/validations/provider-configs";
import { apiFetch } from "./api-client";

export const providerConfigsKey = ["provider-configs"] as const;

const base = (provider: ProviderKind) => `/api/communication/${provider}/configs`;

/** Every config of the tenant across providers (each provider list paged through to the end). */
export function useProviderConfigs(status?: ProviderConfigStatus) {
  return useQuery({
    queryKey: [...providerConfigsKey, { status: status ?? null }],
    queryFn: async ({ signal }) => {
      const lists = await Promise.all(
        providerKinds.map(async (provider) => {
          const out: ProviderConfigOut[] = [];
          let cursor: string | null = null;
          do {
            const qs = new URLSearchParams({ limit: "200" });
            if (status) qs.set("status", status);
            if (cursor) qs.set("cursor", cursor);
            const page: ProviderConfigListOut = await apiFetch<ProviderConfigListOut>(`${base(provider)}?${qs}`, { signal });
            out.push(...page.data);
            cursor = page.next_cursor;
          } while (cursor);
          return out;
        }),
      );
      return lists.flat().sort((a, b) => a.created_at.localeCompare(b.created_at));
    },
  });
}

function useInvalidate() {
  const qc = useQueryClient();
  return () => qc.invalidateQueries({ queryKey: providerConfigsKey });
}

export function useCreateProviderConfig() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({ provider, body }: { provider: ProviderKind; body: Record<string, unknown> }) =>
      apiFetch<ProviderConfigOut>(base(provider), { method: "POST", body }),
    onSuccess: invalidate,
  });
}

export function useUpdateProviderConfig() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({ provider, id, body }: { provider: ProviderKind; id: string; body: Record<string, unknown> }) =>
      apiFetch<ProviderConfigOut>(`${base(provider)}/${id}`, { method: "PATCH", body }),
    onSuccess: invalidate,
  });
}

export function useTransitionProviderConfig() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({ provider, id, to }: { provider: ProviderKind; id: string; to: TransitionTarget }) =>
      to === "decommissioned"
        ? apiFetch<ProviderConfigOut>(`${base(provider)}/${id}`, { method: "DELETE" })
        : apiFetch<ProviderConfigOut>(`${base(provider)}/${id}/transition`, { method: "POST", body: { to } }),
    onSuccess: invalidate,
  });
}

export function useTestProviderConfig() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({ provider, id }: { provider: ProviderKind; id: string }) =>
      apiFetch<TestResultOut>(`${base(provider)}/${id}/test`, { method: "POST" }),
    onSuccess: invalidate,
  });
}

export function useRotateCallbackToken() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({ provider, id }: { provider: ProviderKind; id: string }) =>
      apiFetch<ProviderConfigOut>(`${base(provider)}/${id}/rotate-callback-token`, { method: "POST" }),
    onSuccess: invalidate,
  });
}
