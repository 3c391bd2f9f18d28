// The config lifecycle's rules: which status may move to which.
import type { ProviderConfigStatus } from "@/db/schema/provider-configs";
import { ApiError } from "@/lib/api/errors";
import type { TransitionTarget } from "@/lib/validations/provider-configs";

/** What a member may ask for from each status; `error` is set by Herald, and leaves it only through a passing test. */
export const allowedTransitions: Record<ProviderConfigStatus, TransitionTarget[]> = {
  draft: ["active", "decommissioned"],
  active: ["paused", "decommissioned"],
  paused: ["active", "decommissioned"],
  error: ["decommissioned"],
  decommissioned: [],
};

export function illegalTransition(from: ProviderConfigStatus, to: string) {
  const hint = from === "error" && to === "active" ? " Run a test: a passing test moves it back to active." : "";
  return new ApiError({
    code: "conflict",
    message: `A ${from} config cannot move to ${to}.${hint}`,
    details: { from, to, allowed: allowedTransitions[from] },
  });
}
