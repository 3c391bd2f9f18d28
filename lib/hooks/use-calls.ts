"use client";

import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type {
  CallCommandOutput,
  CallCountersOutput,
  CallEventOutput,
  CallOutput,
  InboundNumberOutput,
  TelephonyTokenStatus,
} from "@/lib/validations/telephony";
import { apiFetch } from "./api-client";

export const callsKey = ["calls"] as const;
export const numbersKey = ["telephony-numbers"] as const;
export const telephonyTokenKey = ["telephony-token"] as const;

export interface CallFiltersState {
  school_id?: string;
  number?: string;
  outcome?: "answered" | "missed" | "failed" | "active";
  publish_status?: "queued" | "published" | "dead_lettered";
  from?: string;
  to?: string;
}

export type CallDetail = CallOutput & { events: CallEventOutput[]; commands: CallCommandOutput[] };

/** The call log; refreshed every 10 s so new calls and publish states appear without a reload. */
export function useCalls(filters: CallFiltersState, cursor: string | null) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v) qs.set(k, v);
  if (cursor) qs.set("cursor", cursor);
  qs.set("limit", "50");
  return useQuery({
    queryKey: [...callsKey, "list", qs.toString()],
    queryFn: ({ signal }) => apiFetch<{ data: CallOutput[]; next_cursor: string | null }>(`/api/v1/calls?${qs}`, { signal }),
    placeholderData: keepPreviousData,
    refetchInterval: 10_000,
  });
}

export function useCall(id: string | null) {
  return useQuery({
    queryKey: [...callsKey, "item", id],
    queryFn: ({ signal }) => apiFetch<CallDetail>(`/api/v1/calls/${id}`, { signal }),
    enabled: id !== null,
    refetchInterval: 5_000,
  });
}

export function useCallCounters() {
  return useQuery({
    queryKey: [...callsKey, "counters"],
    queryFn: ({ signal }) => apiFetch<CallCountersOutput>("/api/v1/calls/counters", { signal }),
    refetchInterval: 5_000,
  });
}

export function useRetryPublishes() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { event_ids?: string[]; command_ids?: string[] }) =>
      apiFetch<{ requeued_events: number; requeued_commands: number }>("/api/v1/call-events/retry", { method: "POST", body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: callsKey }),
  });
}

export function useCallCommand() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: { command: "forward"; call_id: string; to_number: string } | { command: "hangup"; call_id: string }) => {
      const { command, ...body } = input;
      return apiFetch<{ status: string; command: CallCommandOutput }>(`/api/admin/call/b2b/${command}`, { method: "POST", body });
    },
    onSuccess: () => qc.invalidateQueries({ queryKey: callsKey }),
  });
}

export function useNumbers() {
  return useQuery({
    queryKey: numbersKey,
    queryFn: ({ signal }) => apiFetch<{ data: InboundNumberOutput[] }>("/api/v1/telephony/numbers", { signal }).then((r) => r.data),
  });
}

export function useAddNumber() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { number: string; label?: string; school_id?: string | null }) =>
      apiFetch<InboundNumberOutput>("/api/v1/telephony/numbers", { method: "POST", body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: numbersKey }),
  });
}

export function useUpdateNumber() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...body }: { id: string; label?: string | null; school_id?: string | null }) =>
      apiFetch<InboundNumberOutput>(`/api/v1/telephony/numbers/${id}`, { method: "PATCH", body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: numbersKey }),
  });
}

export function useRemoveNumber() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiFetch<void>(`/api/v1/telephony/numbers/${id}`, { method: "DELETE" }),
    onSuccess: () => qc.invalidateQueries({ queryKey: numbersKey }),
  });
}

/** School choices for filters and assignment: the first 100 by the directory's own order. */
export function useSchoolOptions(q: string) {
  const qs = new URLSearchParams({ per_page: "100" });
  if (q.trim()) qs.set("q", q.trim());
  return useQuery({
    queryKey: ["schools", "options", qs.toString()],
    queryFn: ({ signal }) =>
      apiFetch<{ data: { id: string; name: string; city?: string }[]; total: number }>(`/api/v1/schools?${qs}`, { signal }),
    placeholderData: keepPreviousData,
  });
}

export function useTelephonyToken() {
  return useQuery({
    queryKey: telephonyTokenKey,
    queryFn: ({ signal }) => apiFetch<TelephonyTokenStatus>("/api/v1/telephony/token", { signal }),
  });
}

export function useRotateTelephonyToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => apiFetch<TelephonyTokenStatus & { token: string }>("/api/v1/telephony/token", { method: "POST" }),
    onSuccess: () => qc.invalidateQueries({ queryKey: telephonyTokenKey }),
  });
}

export function useRevokeTelephonyToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => apiFetch<void>("/api/v1/telephony/token", { method: "DELETE" }),
    onSuccess: () => qc.invalidateQueries({ queryKey: telephonyTokenKey }),
  });
}
