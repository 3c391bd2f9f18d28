// The Overview's setup checklist: each step ticks itself from the tenant's real state.
import { getDb } from "@/db";
import { findOnboardingFacts, type OnboardingFacts } from "@/db/queries/onboarding";
import type { TenantContext } from "@/lib/tenancy/context";
import { onboardingOut, type OnboardingOut } from "@/lib/validations/onboarding";

const STEPS: { id: OnboardingOut["steps"][number]["id"]; fact: keyof OnboardingFacts; title: string; description: string; href: string }[] = [
  { id: "provider", fact: "has_provider", title: "Add a provider", description: "Connect an email, SMS, push or WhatsApp provider (or a sandbox one).", href: "/providers" },
  {
    id: "webhook",
    fact: "has_webhook_event",
    title: "Paste its webhook URL",
    description: "Copy the webhook URL from the provider card into the provider's console; this ticks when the first event arrives.",
    href: "/providers",
  },
  { id: "api_key", fact: "has_api_key", title: "Create an API key", description: "Your application sends with it.", href: "/settings?tab=api-keys" },
  { id: "first_send", fact: "has_send", title: "Send a first message", description: "From the API or with “Send test” on a provider card.", href: "/messages" },
  { id: "first_delivery", fact: "has_delivery", title: "See it delivered", description: "The provider reports the delivery through the webhook.", href: "/messages?status=delivered" },
];

export async function getOnboarding(ctx: TenantContext): Promise<OnboardingOut> {
  const facts = await findOnboardingFacts(getDb(), { tenantId: ctx.tenantId });
  const steps = STEPS.map(({ fact, ...s }) => ({ ...s, done: facts[fact] }));
  const done = steps.filter((s) => s.done).length;
  return onboardingOut.parse({ steps, done, total: steps.length, complete: done === steps.length });
}
