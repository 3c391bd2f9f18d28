import { PageHeader } from "@/components/ui/page-header";
import { TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { UrlTabs } from "@/components/ui/url-tabs";
import { roleAtLeast } from "@/lib/auth/permissions";
import { requireMember } from "@/lib/auth/session";
import { OutboundWebhooksView } from "./_components/outbound-webhooks-view";
import { RejectedWebhooksView } from "./_components/rejected-webhooks-view";
import { WebhookEventsView } from "./_components/webhook-events-view";

export const metadata = { title: "Webhooks" };

export default async function WebhooksPage() {
  const member = await requireMember();
  return (
    <div className="grid gap-6">
      <PageHeader title="Webhooks" description="Provider events received or refused, and the events Herald sends to your own endpoints." />
      <UrlTabs values={["received", "rejected", "outbound"]} defaultValue="received">
        <TabsList>
          <TabsTrigger value="received">Received events</TabsTrigger>
          <TabsTrigger value="rejected">Rejected</TabsTrigger>
          <TabsTrigger value="outbound">Outbound webhooks</TabsTrigger>
        </TabsList>
        <TabsContent value="received">
          <WebhookEventsView />
        </TabsContent>
        <TabsContent value="rejected">
          <RejectedWebhooksView />
        </TabsContent>
        <TabsContent value="outbound">
          <OutboundWebhooksView canManage={roleAtLeast(member.active.role, "admin")} />
        </TabsContent>
      </UrlTabs>
    </div>
  );
}
