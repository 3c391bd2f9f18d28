"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { BusBindingListOut, BusBindingOut, CreateBusBindingBody, PatchBusBindingBody } from "@/lib/validations/bus";
import { apiFetch } from "./api-client";

export const busBindingsKey = ["bus-bindings"] as const;

export function useBusBindings() {
  return useQuery({ queryKey: busBindingsKey, queryFn: () => apiFetch<BusBindingListOut>("/api/v1/bus-bindings") });
}

export function useCreateBusBinding() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateBusBindingBody) => apiFetch<BusBindingOut>("/api/v1/bus-bindings", { method: "POST", body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: busBindingsKey }),
  });
}

export function useUpdateBusBinding() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...body }: PatchBusBindingBody & { id: string }) => apiFetch<BusBindingOut>(`/api/v1/bus-bindings/${id}`, { method: "PATCH", body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: busBindingsKey }),
  });
}

export function useDeleteBusBinding() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiFetch<void>(`/api/v1/bus-bindings/${id}`, { method: "DELETE" }),
    onSuccess: () => qc.invalidateQueries({ queryKey: busBindingsKey }),
  });
}
