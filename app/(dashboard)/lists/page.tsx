import { Suspense } from "react";
import { PageHeader } from "@/components/ui/page-header";
import { roleAtLeast, roleForScope } from "@/lib/auth/permissions";
import { requireMember } from "@/lib/auth/session";
import { ListsView } from "./_components/lists-view";

export const metadata = { title: "Lists" };

export default async function ListsPage() {
  const member = await requireMember();
  return (
    <div className="grid gap-6">
      <PageHeader title="Lists" description="Static lists of contacts (a competition's players, a school's parents) and segments that pick contacts by their fields and attributes." />
      <Suspense>
        <ListsView canWrite={roleAtLeast(member.active.role, roleForScope("contacts:write"))} />
      </Suspense>
    </div>
  );
}
