import { PageHeader } from "@/components/ui/page-header";
import { TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { UrlTabs } from "@/components/ui/url-tabs";
import { roleAtLeast } from "@/lib/auth/permissions";
import { requireMember } from "@/lib/auth/session";
import { CallsView } from "./_components/calls-view";
import { NumbersPanel } from "./_components/numbers-panel";

export const metadata = { title: "Calls" };

export default async function CallsPage() {
  const member = await requireMember();
  // Same rule as the API's calls:write scope; the server enforces it regardless.
  const canWrite = roleAtLeast(member.active.role, "staff");
  return (
    <div className="grid gap-6">
      <PageHeader
        title="Calls"
        description="Call events from your telephony server, folded into calls, and their delivery to RabbitMQ."
      />
      <UrlTabs values={["log", "numbers"]} defaultValue="log">
        <TabsList>
          <TabsTrigger value="log">Call log</TabsTrigger>
          <TabsTrigger value="numbers">Numbers</TabsTrigger>
        </TabsList>
        <TabsContent value="log">
          <CallsView canWrite={canWrite} />
        </TabsContent>
        <TabsContent value="numbers">
          <NumbersPanel canWrite={canWrite} />
        </TabsContent>
      </UrlTabs>
    </div>
  );
}
