"use client";

import { PageHeader } from "@/components/ui/page-header";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { DeadLettersPanel } from "./dead-letters-panel";
import { MessageLog } from "./message-log";
import { RoutingPanel } from "./routing-panel";

export function MessagesView({ canEditRoutes, canReplay = false }: { canEditRoutes: boolean; canReplay?: boolean }) {
  return (
    <div className="grid gap-2">
      <PageHeader title="Messages" description="Every message sent through Herald, its attempts and its delivery state, and how messages are routed to providers." />
      <Tabs defaultValue="log" className="grid gap-4">
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
      </Tabs>
    </div>
  );
}
