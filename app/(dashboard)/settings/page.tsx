import { TelephonyTokenCard } from "@/components/telephony/telephony-token-card";
import { PageHeader } from "@/components/ui/page-header";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { requireMember } from "@/lib/auth/session";
import { roleAtLeast } from "@/lib/auth/permissions";
import { AccountPanel } from "./_components/account-panel";
import { ApiKeysPanel } from "./_components/api-keys-panel";
import { AuditPanel } from "./_components/audit-panel";
import { MembersPanel } from "./_components/members-panel";

export const metadata = { title: "Settings" };

const tabs = ["members", "api-keys", "telephony", "audit", "account"] as const;

export default async function SettingsPage({ searchParams }: { searchParams: Promise<{ tab?: string }> }) {
  const member = await requireMember();
  const { tab } = await searchParams;
  const isAdmin = roleAtLeast(member.active.role, "admin");
  const initial = tabs.find((t) => t === tab) ?? "members";
  return (
    <div className="grid gap-6">
      <PageHeader title="Settings" description={`${member.active.name} · you are ${member.active.role}`} />
      <Tabs defaultValue={initial}>
        <TabsList>
          <TabsTrigger value="members">Members</TabsTrigger>
          <TabsTrigger value="api-keys">API keys</TabsTrigger>
          <TabsTrigger value="telephony">Telephony</TabsTrigger>
          {isAdmin ? <TabsTrigger value="audit">Audit log</TabsTrigger> : null}
          <TabsTrigger value="account">Account</TabsTrigger>
        </TabsList>
        <TabsContent value="members">
          <MembersPanel myRole={member.active.role} myUserId={member.user.id} />
        </TabsContent>
        <TabsContent value="api-keys">
          <ApiKeysPanel canManage={isAdmin} />
        </TabsContent>
        <TabsContent value="telephony">
          <TelephonyTokenCard canManage={isAdmin} />
        </TabsContent>
        {isAdmin ? (
          <TabsContent value="audit">
            <AuditPanel />
          </TabsContent>
        ) : null}
        <TabsContent value="account">
          <AccountPanel email={member.user.email} />
        </TabsContent>
      </Tabs>
    </div>
  );
}
