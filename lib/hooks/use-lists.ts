"use client";

import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { CreateListBody, ListOut, SegmentPreviewOut } from "@/lib/validations/lists";
import type { SegmentNode } from "@/lib/validations/segments";
import { apiFetch } from "./api-client";

export const listsKey = ["lists"] as const;

export function useLists() {
  return useQuery({ queryKey: [...listsKey, "all"], queryFn: ({ signal }) => apiFetch<{ data: ListOut[] }>("/api/v1/lists", { signal }) });
}

export function useCreateList() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateListBody) => apiFetch<ListOut>("/api/v1/lists", { method: "POST", body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: listsKey }),
  });
}

export function useDeleteList() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiFetch<void>(`/api/v1/lists/${id}`, { method: "DELETE" }),
    onSuccess: () => qc.invalidateQueries({ queryKey: listsKey }),
  });
}

export function useAddListMembers(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { external_ids?: string[]; contact_ids?: string[] }) =>
      apiFetch<{ added: number; not_found: { contact_ids: string[]; external_ids: string[] } }>(`/api/v1/lists/${id}/members`, { method: "POST", body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: listsKey }),
  });
}

/** The live count of a segment being edited (null: nothing valid to preview yet). */
export function useSegmentPreview(segment: SegmentNode | null) {
  const body = segment ? JSON.stringify(segment) : null;
  return useQuery({
    queryKey: [...listsKey, "preview", body],
    queryFn: ({ signal }) => apiFetch<SegmentPreviewOut>("/api/v1/segments/preview", { method: "POST", body: { segment }, signal }),
    enabled: segment !== null,
    placeholderData: keepPreviousData,
    retry: false,
  });
}
