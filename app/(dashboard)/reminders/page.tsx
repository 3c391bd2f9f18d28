import { Suspense } from "react";
import { PageHeader } from "@/components/ui/page-header";
import { roleAtLeast, roleForScope } from "@/lib/auth/permissions";
import { requireMember } from "@/lib/auth/session";
import { RemindersView } from "./_components/reminders-view";

export const metadata = { title: "Reminders" };

export default async function RemindersPage() {
  const member = await requireMember();
  return (
    <div className="grid gap-6">
      <PageHeader
        title="Reminders"
        description="Events your audience should not miss (competitions, meetings, exams) and the reminders that go out before them by email, SMS, push and WhatsApp."
      />
      <Suspense>
        <RemindersView canWrite={roleAtLeast(member.active.role, roleForScope("reminders:write"))} />
      </Suspense>
    </div>
  );
}
