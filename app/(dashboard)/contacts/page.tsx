import { Suspense } from "react";
import { PageHeader } from "@/components/ui/page-header";
import { roleAtLeast, roleForScope } from "@/lib/auth/permissions";
import { requireMember } from "@/lib/auth/session";
import { ContactsView } from "./_components/contacts-view";

export const metadata = { title: "Contacts" };

export default async function ContactsPage() {
  const member = await requireMember();
  return (
    <div className="grid gap-6">
      <PageHeader title="Contacts" description="The people Herald talks to: their addresses per channel, subscriptions, schools and message history." />
      <Suspense>
        <ContactsView canWrite={roleAtLeast(member.active.role, roleForScope("contacts:write"))} />
      </Suspense>
    </div>
  );
}
