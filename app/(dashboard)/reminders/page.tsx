import { Inbox } from "lucide-react";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { requireMember } from "@/lib/auth/session";

export const metadata = { title: "Reminders" };

export default async function RemindersPage() {
  await requireMember();
  return (
    <div className="grid gap-6">
      <PageHeader title="Reminders" description="Scheduled reminders that fan out over email, SMS and push." />
      <EmptyState icon={Inbox} title="No reminders scheduled" description="Reminders (for example 24 hours before a competition) are not configured for this tenant yet." />
    </div>
  );
}
