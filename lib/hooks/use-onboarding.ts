"use client";

import { useQuery } from "@tanstack/react-query";
import type { OnboardingOut } from "@/lib/validations/onboarding";
import { apiFetch } from "./api-client";

export const onboardingKey = ["onboarding"] as const;

/** Polled while incomplete, so steps tick as webhooks and sends arrive; stops once complete. */
export function useOnboarding(initialData?: OnboardingOut) {
  return useQuery({
    queryKey: onboardingKey,
    queryFn: ({ signal }) => apiFetch<OnboardingOut>("/api/v1/onboarding", { signal }),
    initialData,
    refetchInterval: (q) => (q.state.data?.complete ? false : 10_000),
  });
}
