"use client";

import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { z } from "zod";
import type { CreateSchoolBody, ImportResult, memberSearchResponse, SchoolOut, UpdateSchoolBody } from "@/lib/validations/schools";
import { apiFetch, ApiClientError } from "./api-client";

export type MemberSearchResponse = z.output<typeof memberSearchResponse>;
export type SchoolHit = MemberSearchResponse["data"][number];

export interface SchoolSearchParams {
  tenant: string;
  q: string;
  /** Any of these cities / types (several values of a facet widen the result). */
  cities: string[];
  types: string[];
  page: number;
  perPage: number;
}

export const schoolsKey = ["schools"] as const;

/** The directory search as a signed-in member sees it (session cookie → private schools too). */
export function useSchoolSearch(p: SchoolSearchParams) {
  const qs = new URLSearchParams({ tenant: p.tenant, q: p.q, page: String(p.page), per_page: String(p.perPage) });
  if (p.cities.length) qs.set("city", p.cities.join(","));
  if (p.types.length) qs.set("type", p.types.join(","));
  return useQuery({
    queryKey: [...schoolsKey, "search", qs.toString()],
    queryFn: ({ signal }) => apiFetch<MemberSearchResponse>(`/api/search/schools?${qs}`, { signal }),
    placeholderData: keepPreviousData,
  });
}

export function useSchool(id: string | null) {
  return useQuery({
    queryKey: [...schoolsKey, "item", id],
    queryFn: ({ signal }) => apiFetch<SchoolOut>(`/api/v1/schools/${id}`, { signal }),
    enabled: id !== null,
  });
}

export function useCreateSchool() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateSchoolBody) => apiFetch<SchoolOut>("/api/v1/schools", { method: "POST", body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: schoolsKey }),
  });
}

export function useUpdateSchool(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: UpdateSchoolBody) => apiFetch<SchoolOut>(`/api/v1/schools/${id}`, { method: "PATCH", body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: schoolsKey }),
  });
}

export function useDeleteSchool() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiFetch<void>(`/api/v1/schools/${id}`, { method: "DELETE" }),
    onSuccess: () => qc.invalidateQueries({ queryKey: schoolsKey }),
  });
}

export interface ImportProgressEvent {
  processed: number;
  total: number;
  created: number;
  updated: number;
  failed: number;
}

/**
 * Uploads a CSV and follows the import's NDJSON progress stream. Resolves with the final result;
 * rejects with ApiClientError for file-level errors (their details carry line numbers).
 */
export async function importSchoolsCsv(file: File, onProgress: (p: ImportProgressEvent) => void): Promise<ImportResult> {
  const res = await fetch("/api/v1/schools/import", {
    method: "POST",
    headers: { "content-type": "text/csv", accept: "application/x-ndjson" },
    body: file,
    credentials: "same-origin",
  });
  if (!res.ok || !res.body) {
    const json = (await res.json().catch(() => null)) as { error?: { code: string; message: string; details?: unknown } } | null;
    throw new ApiClientError(res.status, json?.error?.code ?? "http_error", json?.error?.message ?? `Import failed (${res.status})`, json?.error?.details);
  }
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (value) buffer += value;
    let nl: number;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (!line) continue;
      const event = JSON.parse(line) as { type: string } & Record<string, unknown>;
      if (event.type === "progress") onProgress(event as unknown as ImportProgressEvent);
      else if (event.type === "result") return event as unknown as ImportResult;
      else if (event.type === "error") {
        const e = (event as { error?: { code: string; message: string } }).error;
        throw new ApiClientError(500, e?.code ?? "import_failed", e?.message ?? "The import stopped");
      }
    }
    if (done) break;
  }
  throw new ApiClientError(500, "import_interrupted", "The import stream ended early; check the directory before retrying");
}
