"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { OtpRange, OtpStatsOut } from "@/lib/otp/stats";
import { apiFetch } from "./api-client";

export const otpKey = ["otp"] as const;

export interface OtpBlockOut {
  id: string;
  kind: "country" | "prefix";
  value: string;
  reason: string;
  stats: Record<string, unknown>;
  active: boolean;
  created_at: string;
  unblocked_at: string | null;
  unblocked_by: string | null;
}

export function useOtpStats(range: OtpRange, initialData?: OtpStatsOut) {
  return useQuery({
    queryKey: [...otpKey, "stats", range],
    queryFn: ({ signal }) => apiFetch<OtpStatsOut>(`/api/v1/otp/stats?range=${range}`, { signal }),
    initialData: initialData?.range === range ? initialData : undefined,
    refetchInterval: 30_000,
  });
}

export function useOtpBlocks(initialData?: { data: OtpBlockOut[] }) {
  return useQuery({
    queryKey: [...otpKey, "blocks"],
    queryFn: ({ signal }) => apiFetch<{ data: OtpBlockOut[] }>("/api/v1/otp/blocks", { signal }),
    initialData,
    refetchInterval: 30_000,
  });
}

export function useUnblockOtp() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiFetch<OtpBlockOut>(`/api/v1/otp/blocks/${id}/unblock`, { method: "POST" }),
    onSettled: () => qc.invalidateQueries({ queryKey: otpKey }),
  });
}
