import { Suspense } from "react";
import { roleAtLeast, roleForScope } from "@/lib/auth/permissions";
import { requireMember } from "@/lib/auth/session";
import { MessagesView } from "./_components/messages-view";

export const metadata = { title: "Messages" };

export default async function MessagesPage() {
  const member = await requireMember();
  return (
    <Suspense>
      <MessagesView
        canEditRoutes={roleAtLeast(member.active.role, roleForScope("configs:write"))}
        canReplay={roleAtLeast(member.active.role, roleForScope("messages:send"))}
      />
    </Suspense>
  );
}
