import { BarChart3 } from "lucide-react";
import Link from "next/link";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { memberContext, requireMember } from "@/lib/auth/session";
import { getOnboarding } from "@/lib/onboarding/onboarding";
import { getStuckCounts } from "@/lib/stuck-work/sweep";
import { getOverview } from "@/lib/usage/usage";
import { OnboardingChecklist } from "./_components/onboarding-checklist";
import { OverviewView } from "./_components/overview-view";
import { StuckWorkCard } from "./_components/stuck-work-card";

export const metadata = { title: "Overview" };

export default async function OverviewPage() {
  const member = await requireMember();
  const ctx = memberContext(member);
  // The empty state is for tenants that never sent anything; a quiet week still shows the charts.
  const [initial, month, stuck, onboarding] = await Promise.all([getOverview(ctx, "7d"), getOverview(ctx, "30d"), getStuckCounts(ctx), getOnboarding(ctx)]);
  return (
    <div className="grid gap-6">
      <PageHeader title="Overview" description={`Delivery and engagement for ${member.active.name}`} />
      <OnboardingChecklist initial={onboarding} tenantId={ctx.tenantId} />
      <StuckWorkCard counts={stuck.counts} total={stuck.total} />
      {month.has_data || initial.has_data ? (
        <OverviewView initial={initial} />
      ) : (
        <EmptyState
          icon={BarChart3}
          title="No traffic to chart yet"
          description="Sends today, delivery rate, open rate and the error budget appear here once messages flow through a provider."
          action={
            <Button asChild variant="outline">
              <Link href="/providers">Configure a provider</Link>
            </Button>
          }
        />
      )}
    </div>
  );
}
