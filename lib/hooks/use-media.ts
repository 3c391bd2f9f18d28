"use client";

import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { MediaListOut, MediaOut } from "@/lib/validations/media";
import { ApiClientError, apiFetch } from "./api-client";

export const mediaKey = ["media"] as const;

export function useMediaList(q: { cursor: string | null; q?: string }) {
  const params = new URLSearchParams({ limit: "25" });
  if (q.cursor) params.set("cursor", q.cursor);
  if (q.q) params.set("q", q.q);
  return useQuery({
    queryKey: [...mediaKey, "list", params.toString()],
    queryFn: ({ signal }) => apiFetch<MediaListOut>(`/api/v1/media?${params}`, { signal }),
    placeholderData: keepPreviousData,
  });
}

export function useMediaItem(id: string | null) {
  return useQuery({
    queryKey: [...mediaKey, "item", id],
    queryFn: ({ signal }) => apiFetch<MediaOut>(`/api/v1/media/${id}`, { signal }),
    enabled: id !== null,
  });
}

/** Multipart upload of one file (streamed by the server into storage). */
export function useUploadMedia() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (input: { file: File; use?: string }) => {
      const form = new FormData();
      if (input.use) form.append("use", input.use);
      form.append("file", input.file, input.file.name);
      const res = await fetch("/api/v1/media", { method: "POST", body: form, credentials: "same-origin" });
      const json = (await res.json().catch(() => undefined)) as (MediaOut & { error?: { code: string; message: string; details?: unknown } }) | undefined;
      if (!res.ok) throw new ApiClientError(res.status, json?.error?.code ?? "http_error", json?.error?.message ?? `Upload failed (${res.status})`, json?.error?.details);
      return json as MediaOut;
    },
    onSuccess: () => qc.invalidateQueries({ queryKey: mediaKey }),
  });
}

export function useDeleteMedia() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiFetch<void>(`/api/v1/media/${id}`, { method: "DELETE" }),
    onSuccess: () => qc.invalidateQueries({ queryKey: mediaKey }),
  });
}

/** Where the browser gets the bytes: inline for a preview, as a download otherwise. */
export const mediaDownloadUrl = (id: string, disposition: "inline" | "attachment" = "attachment") => `/api/v1/media/${id}/download?disposition=${disposition}`;
