import { requireMember } from "@/lib/auth/session";
import { roleAtLeast, roleForScope } from "@/lib/auth/permissions";
import { ProvidersView } from "./_components/providers-view";

export const metadata = { title: "Providers" };

export default async function ProvidersPage() {
  const member = await requireMember();
  return <ProvidersView canManage={roleAtLeast(member.active.role, roleForScope("configs:write"))} />;
}
