import { Suspense } from "react";
import { PageHeader } from "@/components/ui/page-header";
import { roleAtLeast, roleForScope } from "@/lib/auth/permissions";
import { requireMember } from "@/lib/auth/session";
import { MediaView } from "./_components/media-view";

export const metadata = { title: "Media" };

export default async function MediaPage() {
  const member = await requireMember();
  return (
    <div className="grid gap-6">
      <PageHeader
        title="Media"
        description="Files stored for sends (WhatsApp images and documents, email attachments, push images) and files received with inbound messages. Send one by its id."
      />
      <Suspense>
        <MediaView canWrite={roleAtLeast(member.active.role, roleForScope("media:write"))} />
      </Suspense>
    </div>
  );
}
