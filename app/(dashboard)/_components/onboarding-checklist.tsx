"use client";

import { CheckCircle2, Circle, X } from "lucide-react";
import Link from "next/link";
import { useState, useSyncExternalStore } from "react";
import { Button } from "@/components/ui/button";
import { Card, CardAction, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { useOnboarding } from "@/lib/hooks/use-onboarding";
import type { OnboardingOut } from "@/lib/validations/onboarding";

function subscribeStorage(onChange: () => void) {
  window.addEventListener("storage", onChange);
  return () => window.removeEventListener("storage", onChange);
}

/** Setup steps for a new tenant; each ticks itself from real state. Hidden once complete or dismissed (per browser). */
export function OnboardingChecklist({ initial, tenantId }: { initial: OnboardingOut; tenantId: string }) {
  const { data = initial } = useOnboarding(initial);
  const storageKey = `herald.onboarding.dismissed.${tenantId}`;
  // The server render cannot see localStorage: it renders the list, the browser then hides it if dismissed.
  const stored = useSyncExternalStore(subscribeStorage, () => window.localStorage.getItem(storageKey), () => null);
  const [dismissedNow, setDismissed] = useState(false);
  const dismissed = dismissedNow || stored === "1";
  if (data.complete || dismissed) return null;
  const dismiss = () => {
    window.localStorage.setItem(storageKey, "1");
    setDismissed(true);
  };
  return (
    <Card data-testid="onboarding-checklist" aria-labelledby="onboarding-title">
      <CardHeader>
        <CardTitle id="onboarding-title">Get started</CardTitle>
        <CardDescription>
          {data.done} of {data.total} done · each step ticks itself when Herald sees it happen
        </CardDescription>
        <CardAction>
          <Button size="icon-sm" variant="ghost" onClick={dismiss} aria-label="Dismiss the setup checklist">
            <X aria-hidden />
          </Button>
        </CardAction>
      </CardHeader>
      <CardContent>
        <ol className="grid gap-3">
          {data.steps.map((s) => (
            <li key={s.id} className="flex items-start gap-3" data-testid={`onboarding-step-${s.id}`} data-done={s.done}>
              {s.done ? <CheckCircle2 className="mt-0.5 size-4 shrink-0 text-emerald-600" aria-hidden /> : <Circle className="mt-0.5 size-4 shrink-0 text-muted-foreground" aria-hidden />}
              <div className="min-w-0">
                <Link href={s.href} className={`font-medium underline-offset-4 hover:underline ${s.done ? "text-muted-foreground line-through" : ""}`}>
                  {s.title}
                </Link>
                <span className="sr-only">{s.done ? " (done)" : " (to do)"}</span>
                <p className="text-sm text-muted-foreground">{s.description}</p>
              </div>
            </li>
          ))}
        </ol>
      </CardContent>
    </Card>
  );
}
