import { SlackAlertsCard } from "@/components/alerts/slack-alerts-card";
import { TelephonyTokenCard } from "@/components/telephony/telephony-token-card";
import { PageHeader } from "@/components/ui/page-header";
import { TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { UrlTabs } from "@/components/ui/url-tabs";
import { requireMember } from "@/lib/auth/session";
import { roleAtLeast } from "@/lib/auth/permissions";
import { AccountPanel } from "./_components/account-panel";
import { ApiKeysPanel } from "./_components/api-keys-panel";
import { AuditPanel } from "./_components/audit-panel";
import { BusPanel } from "./_components/bus-panel";
import { DisplayPanel, TenantZonePanel } from "./_components/display-panel";
import { MembersPanel } from "./_components/members-panel";

export const metadata = { title: "Settings" };

const tabs = ["members", "api-keys", "telephony", "tenant", "alerts", "bus", "audit", "account"] as const;

export default async function SettingsPage() {
  const member = await requireMember();
  const isAdmin = roleAtLeast(member.active.role, "admin");
  return (
    <div className="grid gap-6">
      <PageHeader title="Settings" description={`${member.active.name} · you are ${member.active.role}`} />
      <UrlTabs values={isAdmin ? tabs : tabs.filter((t) => t !== "audit")} defaultValue="members">
        <TabsList>
          <TabsTrigger value="members">Members</TabsTrigger>
          <TabsTrigger value="api-keys">API keys</TabsTrigger>
          <TabsTrigger value="telephony">Telephony</TabsTrigger>
          <TabsTrigger value="tenant">Tenant</TabsTrigger>
          <TabsTrigger value="alerts">Alerts</TabsTrigger>
          <TabsTrigger value="bus">Event bus</TabsTrigger>
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
        <TabsContent value="tenant">
          <TenantZonePanel canManage={isAdmin} />
        </TabsContent>
        <TabsContent value="alerts">
          <SlackAlertsCard canManage={isAdmin} />
        </TabsContent>
        <TabsContent value="bus">
          <BusPanel canManage={isAdmin} />
        </TabsContent>
        {isAdmin ? (
          <TabsContent value="audit">
            <AuditPanel />
          </TabsContent>
        ) : null}
        <TabsContent value="account">
          <div className="grid gap-6">
            <DisplayPanel timezone={member.user.timezone} locale={member.user.locale} />
            <AccountPanel email={member.user.email} />
          </div>
        </TabsContent>
      </UrlTabs>
    </div>
  );
}
