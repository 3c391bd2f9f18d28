"use client";

import { PageHeader } from "@/components/ui/page-header";
import { TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { UrlTabs } from "@/components/ui/url-tabs";
import { KommoPanel } from "@/components/integrations/kommo-panel";
import { CustomerioPanel } from "./customerio-panel";

/** One tab per integration, in the URL (`?tab=customerio`). */
const tabs = ["customerio", "kommo"] as const;

export function IntegrationsView({ canManage }: { canManage: boolean }) {
  return (
    <div className="grid gap-6">
      <PageHeader title="Integrations" description="Services Herald keeps in step with this tenant's contacts and schools, and CRMs it mirrors." />
      <UrlTabs values={tabs} defaultValue="customerio" className="grid gap-4">
        <TabsList aria-label="Integrations">
          <TabsTrigger value="customerio">Customer.io</TabsTrigger>
          <TabsTrigger value="kommo">Kommo → Unisender</TabsTrigger>
        </TabsList>
        <TabsContent value="customerio">
          <CustomerioPanel canManage={canManage} />
        </TabsContent>
        <TabsContent value="kommo">
          <KommoPanel canManage={canManage} />
        </TabsContent>
      </UrlTabs>
    </div>
  );
}
