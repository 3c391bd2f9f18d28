"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type {
  EventDetailOut,
  EventListOut,
  EventPreviewOut,
  PresetOut,
  RunListOut,
  RunOut,
} from "@/lib/validations/reminders";
import { apiFetch } from "./api-client";

export const remindersKey = ["reminders"] as const;

function qs(params: Record<string, string | number | boolean | null | undefined>) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== "") p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : "";
}

export function useEvents(params: { when: "upcoming" | "past" | "all"; q?: string | null }) {
  return useQuery({
    queryKey: [...remindersKey, "events", params],
    queryFn: ({ signal }) => apiFetch<EventListOut>(`/api/v1/events${qs({ ...params, limit: 100 })}`, { signal }),
  });
}

export function useEvent(id: string | null) {
  return useQuery({
    queryKey: [...remindersKey, "event", id],
    enabled: id !== null,
    queryFn: ({ signal }) => apiFetch<EventDetailOut>(`/api/v1/events/${id}`, { signal }),
    // Around a firing (its time within two minutes, or passed and not yet taken), follow the next one.
    refetchInterval: (q) => {
      const next = q.state.data?.next_firing;
      return next && new Date(next.at).getTime() < Date.now() + 120_000 ? 2000 : false;
    },
  });
}

/** Runs with their figures; polled while any is scheduled or running, so progress moves live. */
export function useRuns(params: { event_id?: string | null; upcoming?: boolean; status?: string | null }) {
  return useQuery({
    queryKey: [...remindersKey, "runs", params],
    queryFn: ({ signal }) => apiFetch<RunListOut>(`/api/v1/reminder-runs${qs({ ...params, limit: 100 })}`, { signal }),
    refetchInterval: (q) => (q.state.data?.data.some((r) => r.status === "running" || r.status === "scheduled" || r.counts.percent < 100) ? 2000 : false),
  });
}

export function usePresets() {
  return useQuery({ queryKey: [...remindersKey, "presets"], queryFn: ({ signal }) => apiFetch<{ data: PresetOut[] }>("/api/v1/reminder-presets", { signal }) });
}

function useInvalidating<I, O>(fn: (input: I) => Promise<O>) {
  const qc = useQueryClient();
  return useMutation({ mutationFn: fn, onSuccess: () => qc.invalidateQueries({ queryKey: remindersKey }) });
}

export function useCreateEvent() {
  return useInvalidating((body: Record<string, unknown>) => apiFetch<EventDetailOut>("/api/v1/events", { method: "POST", body }));
}

export function useUpdateEvent(id: string) {
  return useInvalidating((body: Record<string, unknown>) => apiFetch<EventDetailOut>(`/api/v1/events/${id}`, { method: "PATCH", body }));
}

export function useCancelEvent() {
  return useInvalidating((id: string) => apiFetch<EventDetailOut>(`/api/v1/events/${id}`, { method: "DELETE" }));
}

export function useAddReminder(eventId: string) {
  return useInvalidating((body: Record<string, unknown>) => apiFetch(`/api/v1/events/${eventId}/reminders`, { method: "POST", body }));
}

export function useCancelReminder(eventId: string) {
  return useInvalidating((ruleId: string) => apiFetch(`/api/v1/events/${eventId}/reminders/${ruleId}`, { method: "DELETE" }));
}

export function useCancelRun() {
  return useInvalidating((id: string) => apiFetch<RunOut>(`/api/v1/reminder-runs/${id}/cancel`, { method: "POST" }));
}

export function useCreatePreset() {
  return useInvalidating((body: Record<string, unknown>) => apiFetch<PresetOut>("/api/v1/reminder-presets", { method: "POST", body }));
}

export function useDeletePreset() {
  return useInvalidating((id: string) => apiFetch<void>(`/api/v1/reminder-presets/${id}`, { method: "DELETE" }));
}

export function useApplyPreset() {
  return useInvalidating(({ id, eventIds }: { id: string; eventIds: string[] }) =>
    apiFetch<{ applied: { event_id: string }[]; already_applied: string[] }>(`/api/v1/reminder-presets/${id}/apply`, { method: "POST", body: { event_ids: eventIds } }),
  );
}

export function useEventPreview(eventId: string | null, ruleId: string | null) {
  return useQuery({
    queryKey: [...remindersKey, "preview", eventId, ruleId],
    enabled: eventId !== null && ruleId !== null,
    queryFn: ({ signal }) => apiFetch<EventPreviewOut>(`/api/v1/events/${eventId}/preview`, { method: "POST", body: { rule_id: ruleId }, signal }),
    retry: false,
  });
}
