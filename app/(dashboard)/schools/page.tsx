import { PageHeader } from "@/components/ui/page-header";
import { roleAtLeast, roleForScope } from "@/lib/auth/permissions";
import { requireMember } from "@/lib/auth/session";
import { SchoolsDirectory } from "./_components/schools-directory";

export const metadata = { title: "Schools" };

export default async function SchoolsPage() {
  const member = await requireMember();
  return (
    <div className="grid gap-6">
      <PageHeader
        title="Schools"
        description="The school directory: what parents find in the public search, plus private schools and contact details for your team."
      />
      <SchoolsDirectory tenantSlug={member.active.slug} canWrite={roleAtLeast(member.active.role, roleForScope("schools:write"))} />
    </div>
  );
}
