"use client";

import { PageHeader } from "@/components/ui/page-header";
import { TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { UrlTabs } from "@/components/ui/url-tabs";
import { DeadLettersPanel } from "./dead-letters-panel";
import { MessageLog } from "./message-log";
import { RoutingPanel } from "./routing-panel";

const tabs = ["log", "routing", "dead-letters"] as const;

export function MessagesView({ canEditRoutes, canReplay = false }: { canEditRoutes: boolean; canReplay?: boolean }) {
  return (
    <div className="grid gap-2">
      <PageHeader title="Messages" description="Every message sent through Herald, its attempts and its delivery state, and how messages are routed to providers." />
      <UrlTabs values={tabs} defaultValue="log" className="grid gap-4">
        <TabsList>
          <TabsTrigger value="log">Log</TabsTrigger>
          <TabsTrigger value="routing">Routing</TabsTrigger>
          <TabsTrigger value="dead-letters">Dead letters</TabsTrigger>
        </TabsList>
        <TabsContent value="log">
          <MessageLog />
        </TabsContent>
        <TabsContent value="routing">
          <RoutingPanel canEdit={canEditRoutes} />
        </TabsContent>
        <TabsContent value="dead-letters">
          <DeadLettersPanel canReplay={canReplay} />
        </TabsContent>
      </UrlTabs>
    </div>
  );
}
