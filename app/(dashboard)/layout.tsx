import Link from "next/link";
import { FormatProvider } from "@/components/format-provider";
import { AppShell } from "@/components/layout/app-shell";
import { requireMember } from "@/lib/auth/session";
import { switchTenant } from "./actions";

// Every dashboard page is per-user and per-tenant: never prerendered or cached.
export const dynamic = "force-dynamic";

export default async function DashboardLayout({ children }: { children: React.ReactNode }) {
  const member = await requireMember();
  const tenants = member.tenants.map((t) => ({ slug: t.slug, name: t.name, role: t.role }));
  const preferences = { timezone: member.user.timezone, locale: member.user.locale };
  const active = { slug: member.active.slug, name: member.active.name, role: member.active.role };
  return (
    <FormatProvider preferences={preferences}>
    <AppShell user={member.user} tenants={tenants} activeTenant={active} switchTenant={switchTenant}>
      {member.user.mustChangePassword ? (
        <div role="status" className="mb-6 rounded-md border border-warning/40 bg-warning/10 px-4 py-3 text-sm">
          You signed in with a one-time password.{" "}
          <Link href="/settings?tab=account" className="font-medium underline underline-offset-4">
            Choose your own password
          </Link>{" "}
          to finish setting up your account.
        </div>
      ) : null}
      {children}
    </AppShell>
    </FormatProvider>
  );
}
