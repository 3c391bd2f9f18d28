import { z } from "zod";

export const onboardingStepIds = ["provider", "webhook", "api_key", "first_send", "first_delivery"] as const;

export const onboardingOut = z.object({
  steps: z.array(
    z.object({
      id: z.enum(onboardingStepIds),
      title: z.string(),
      description: z.string(),
      href: z.string(),
      done: z.boolean(),
    }),
  ),
  done: z.number(),
  total: z.number(),
  complete: z.boolean(),
});
export type OnboardingOut = z.output<typeof onboardingOut>;
