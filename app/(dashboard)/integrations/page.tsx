import { requireMember } from "@/lib/auth/session";
import { roleAtLeast, roleForScope } from "@/lib/auth/permissions";
import { IntegrationsView } from "./_components/integrations-view";

export const metadata = { title: "Integrations" };

export default async function IntegrationsPage() {
  const member = await requireMember();
  return <IntegrationsView canManage={roleAtLeast(member.active.role, roleForScope("integrations:write"))} />;
}
