import { Suspense } from "react";
import { roleAtLeast } from "@/lib/auth/permissions";
import { requireMember } from "@/lib/auth/session";
import { TemplatesView } from "./_components/templates-view";

export const metadata = { title: "Templates" };

export default async function TemplatesPage() {
  const member = await requireMember();
  const canEdit = roleAtLeast(member.active.role, "staff");
  return (
    <Suspense>
      <TemplatesView canEdit={canEdit} userEmail={member.user.email} />
    </Suspense>
  );
}
