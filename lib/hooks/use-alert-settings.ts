"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { PutSlackWebhookBody, SlackAlertSettingsOut, SlackTestOut } from "@/lib/validations/alerts";
import { apiFetch } from "./api-client";

export const slackAlertSettingsKey = ["alert-settings", "slack"] as const;

export function useSlackAlertSettings() {
  return useQuery({
    queryKey: slackAlertSettingsKey,
    queryFn: ({ signal }) => apiFetch<SlackAlertSettingsOut>("/api/v1/alerts/slack", { signal }),
  });
}

export function useSetSlackWebhook() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: PutSlackWebhookBody) => apiFetch<SlackAlertSettingsOut>("/api/v1/alerts/slack", { method: "PUT", body }),
    onSuccess: (data) => qc.setQueryData(slackAlertSettingsKey, data),
  });
}

export function useRemoveSlackWebhook() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => apiFetch<void>("/api/v1/alerts/slack", { method: "DELETE" }),
    onSuccess: () => qc.invalidateQueries({ queryKey: slackAlertSettingsKey }),
  });
}

export function useSendSlackTestAlert() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => apiFetch<SlackTestOut>("/api/v1/alerts/slack/test", { method: "POST" }),
    onSettled: () => qc.invalidateQueries({ queryKey: slackAlertSettingsKey }),
  });
}
