"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { SendResultOut } from "@/lib/validations/messages";
import type { RenderedOut, TemplateContentInput, TemplateOut, TemplateVersionOut } from "@/lib/validations/templates";
import { apiFetch } from "./api-client";

export type TemplateItem = TemplateOut;
export type TemplateVersionItem = TemplateVersionOut;
export type TemplatePreview = RenderedOut;
export type TemplateContent = TemplateContentInput;
export type TemplateChannel = "email" | "sms" | "push" | "whatsapp";

export const templatesKey = ["templates"] as const;
const templateKey = (key: string) => ["templates", key] as const;
const versionsKey = (key: string) => ["templates", key, "versions"] as const;
const enc = encodeURIComponent;

export function useTemplates() {
  return useQuery({ queryKey: templatesKey, queryFn: () => apiFetch<{ data: TemplateItem[] }>("/api/v1/templates").then((r) => r.data) });
}

export function useTemplate(key: string | null) {
  return useQuery({ queryKey: templateKey(key ?? ""), enabled: key !== null, queryFn: () => apiFetch<TemplateItem>(`/api/v1/templates/${enc(key!)}`) });
}

export function useTemplateVersions(key: string | null) {
  return useQuery({
    queryKey: versionsKey(key ?? ""),
    enabled: key !== null,
    queryFn: () => apiFetch<{ data: TemplateVersionItem[] }>(`/api/v1/templates/${enc(key!)}/versions`).then((r) => r.data),
  });
}

function useInvalidate() {
  const qc = useQueryClient();
  return () => qc.invalidateQueries({ queryKey: templatesKey });
}

export function useCreateTemplate() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (body: { key: string; name: string; description?: string; category: string; content: TemplateContent }) =>
      apiFetch<TemplateItem>("/api/v1/templates", { method: "POST", body }),
    onSuccess: invalidate,
  });
}

export function useSaveTemplate(key: string) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (body: { name?: string; description?: string; category?: string; content?: TemplateContent }) =>
      apiFetch<TemplateItem>(`/api/v1/templates/${enc(key)}`, { method: "PATCH", body }),
    onSuccess: invalidate,
  });
}

export function usePublishTemplate(key: string) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (body: { note?: string }) => apiFetch<TemplateItem & { version: number }>(`/api/v1/templates/${enc(key)}/publish`, { method: "POST", body }),
    onSuccess: invalidate,
  });
}

export function useRollbackTemplate(key: string) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (version: number) => apiFetch<TemplateItem>(`/api/v1/templates/${enc(key)}/rollback`, { method: "POST", body: { version } }),
    onSuccess: invalidate,
  });
}

export function useDeleteTemplate() {
  const invalidate = useInvalidate();
  return useMutation({ mutationFn: (key: string) => apiFetch<void>(`/api/v1/templates/${enc(key)}`, { method: "DELETE" }), onSuccess: invalidate });
}

export interface PreviewRequest {
  channel: TemplateChannel;
  content?: TemplateContent;
  data?: Record<string, unknown>;
  contact_id?: string;
  locale?: string;
}

export function usePreviewTemplate(key: string) {
  return useMutation({ mutationFn: (body: PreviewRequest) => apiFetch<TemplatePreview>(`/api/v1/templates/${enc(key)}/preview`, { method: "POST", body }) });
}

export function useTestSendTemplate(key: string) {
  return useMutation({
    mutationFn: (body: PreviewRequest & { to: string }) => apiFetch<SendResultOut>(`/api/v1/templates/${enc(key)}/test-send`, { method: "POST", body }),
  });
}

/** Contacts to pick sample data from (the contacts API; empty when the caller cannot read contacts). */
export function useContactOptions(q: string) {
  return useQuery({
    queryKey: ["contacts", "options", q],
    queryFn: () =>
      apiFetch<{ data: { id: string; name: string | null; email: string | null; phone: string | null; locale: string | null }[] }>(
        `/api/v1/contacts?limit=10${q ? `&q=${enc(q)}` : ""}`,
      ).then((r) => r.data),
    retry: false,
  });
}
