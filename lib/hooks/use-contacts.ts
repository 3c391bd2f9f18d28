"use client";

import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { ContactDetailOut, ContactImportResult, ContactListOut, CreateContactBody } from "@/lib/validations/contacts";
import type { MessageListOut } from "@/lib/validations/messages";
import { apiFetch, ApiClientError } from "./api-client";

export const contactsKey = ["contacts"] as const;

export interface ContactFilters {
  q?: string | null;
  attribute?: string | null;
  list_id?: string | null;
  unsubscribed?: string | null;
}

export function useContacts(filters: ContactFilters) {
  const qs = new URLSearchParams({ limit: "50" });
  for (const [k, v] of Object.entries(filters)) if (v) qs.set(k, v);
  return useInfiniteQuery({
    queryKey: [...contactsKey, "list", qs.toString()],
    queryFn: ({ signal, pageParam }) => {
      const page = new URLSearchParams(qs);
      if (pageParam) page.set("cursor", pageParam);
      return apiFetch<ContactListOut>(`/api/v1/contacts?${page}`, { signal });
    },
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    placeholderData: keepPreviousData,
  });
}

export function useContact(id: string | null) {
  return useQuery({
    queryKey: [...contactsKey, "item", id],
    queryFn: ({ signal }) => apiFetch<ContactDetailOut>(`/api/v1/contacts/${id}`, { signal }),
    enabled: id !== null,
  });
}

export function useContactMessages(id: string | null) {
  return useQuery({
    queryKey: [...contactsKey, "messages", id],
    queryFn: ({ signal }) => apiFetch<MessageListOut>(`/api/v1/messages?contact_id=${id}&limit=20`, { signal }),
    enabled: id !== null,
  });
}

export function useCreateContact() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateContactBody) => apiFetch<ContactDetailOut>("/api/v1/contacts", { method: "POST", body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: contactsKey }),
  });
}

export function useUpdateContact(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: Partial<CreateContactBody>) => apiFetch<ContactDetailOut>(`/api/v1/contacts/${id}`, { method: "PATCH", body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: contactsKey }),
  });
}

export function useEraseContact() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiFetch<{ messages_redacted: number }>(`/api/v1/contacts/${id}`, { method: "DELETE" }),
    onSuccess: () => qc.invalidateQueries({ queryKey: contactsKey }),
  });
}

export interface ContactImportProgress {
  processed: number;
  created: number;
  updated: number;
  failed: number;
  bytes_read: number;
  bytes_total: number | null;
}

/**
 * Uploads a CSV or NDJSON file and follows the import's NDJSON progress lines as they arrive
 * (XMLHttpRequest reads a response while it is still streaming). The server reads the upload
 * only as fast as it writes rows, so bytes_read / file size is the share done.
 */
export function importContactsFile(file: File, onProgress: (p: ContactImportProgress) => void): Promise<ContactImportResult> {
  const ndjson = /\.(nd)?jsonl?$/i.test(file.name) || file.type.includes("ndjson");
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    let seen = 0;
    let buffer = "";
    let settled = false;
    const settle = (fn: () => void) => {
      if (!settled) {
        settled = true;
        fn();
      }
    };
    const consume = () => {
      buffer += xhr.responseText.slice(seen);
      seen = xhr.responseText.length;
      let nl: number;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        if (!line) continue;
        const event = JSON.parse(line) as { type: string; error?: { code: string; message: string; details?: unknown } } & Record<string, unknown>;
        if (event.type === "progress") onProgress({ ...(event as unknown as ContactImportProgress), bytes_total: (event.bytes_total as number | null) ?? file.size });
        else if (event.type === "result") settle(() => resolve(event as unknown as ContactImportResult));
        else if (event.type === "error") settle(() => reject(new ApiClientError(422, event.error?.code ?? "import_failed", event.error?.message ?? "The import stopped", event.error?.details)));
      }
    };
    xhr.open("POST", "/api/v1/contacts/import");
    xhr.setRequestHeader("content-type", ndjson ? "application/x-ndjson" : "text/csv");
    xhr.setRequestHeader("accept", "application/x-ndjson");
    xhr.withCredentials = true;
    xhr.onprogress = () => {
      if (xhr.status === 200) consume();
    };
    xhr.onload = () => {
      if (xhr.status !== 200) {
        const json = (() => {
          try {
            return JSON.parse(xhr.responseText) as { error?: { code: string; message: string; details?: unknown } };
          } catch {
            return null;
          }
        })();
        return settle(() => reject(new ApiClientError(xhr.status, json?.error?.code ?? "http_error", json?.error?.message ?? `Import failed (${xhr.status})`, json?.error?.details)));
      }
      consume();
      settle(() => reject(new ApiClientError(500, "import_interrupted", "The import stream ended early; check the contacts before retrying")));
    };
    xhr.onerror = () => settle(() => reject(new ApiClientError(0, "network_error", "The upload was interrupted")));
    xhr.send(file);
  });
}
