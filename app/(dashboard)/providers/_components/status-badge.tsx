import { Badge } from "@/components/ui/badge";
import type { ProviderConfigStatus } from "@/lib/validations/provider-configs";

const variants = {
  draft: "secondary",
  active: "success",
  paused: "warning",
  error: "destructive",
  decommissioned: "outline",
} as const satisfies Record<ProviderConfigStatus, string>;

export function StatusBadge({ status }: { status: ProviderConfigStatus }) {
  return (
    <Badge variant={variants[status]} data-testid="config-status">
      {status}
    </Badge>
  );
}
