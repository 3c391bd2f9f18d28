"use client";

import { Plug, Plus } from "lucide-react";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import { errorMessage } from "@/lib/hooks/api-client";
import { useProviderConfigs } from "@/lib/hooks/use-provider-configs";
import { useUrlState } from "@/lib/hooks/use-url-state";
import { providerConfigStatuses, type ProviderConfigOut, type ProviderConfigStatus } from "@/lib/validations/provider-configs";
import { ConfigCard } from "./config-card";
import { ConfigFormDialog } from "./config-form-dialog";

export function ProvidersView({ canManage }: { canManage: boolean }) {
  // Filter and open dialog live in the URL (`?status=paused`, `?dialog=new`, `?edit=<id>`).
  const [url, setUrl] = useUrlState(["status", "dialog", "edit"] as const);
  const status = (providerConfigStatuses.find((s) => s === url.status) ?? "all") as ProviderConfigStatus | "all";
  const setStatus = (v: ProviderConfigStatus | "all") => setUrl({ status: v === "all" ? null : v }, { push: true });
  const configs = useProviderConfigs(status === "all" ? undefined : status);
  const allConfigs = useProviderConfigs();
  const creating = url.dialog === "new";
  const setCreating = (open: boolean) => setUrl({ dialog: open ? "new" : null }, { push: open });
  const editing = url.edit ? (allConfigs.data?.find((c) => c.id === url.edit) ?? null) : null;
  const setEditing = (c: ProviderConfigOut | null) => setUrl({ edit: c?.id ?? null }, { push: c !== null });

  return (
    <div className="grid gap-6">
      <PageHeader
        title="Providers"
        description="The accounts Herald sends email, SMS, push and WhatsApp through. Only active configs send."
        actions={
          <>
            <Select value={status} onValueChange={(v) => setStatus(v as ProviderConfigStatus | "all")}>
              <SelectTrigger aria-label="Status filter" className="w-44">
                <SelectValue />
              </SelectTrigger>
              <SelectContent>
                <SelectItem value="all">All statuses</SelectItem>
                {providerConfigStatuses.map((s) => (
                  <SelectItem key={s} value={s}>
                    {s[0]!.toUpperCase() + s.slice(1)}
                  </SelectItem>
                ))}
              </SelectContent>
            </Select>
            {canManage ? (
              <Button onClick={() => setCreating(true)}>
                <Plus aria-hidden /> Add provider
              </Button>
            ) : null}
          </>
        }
      />
      {configs.isPending ? (
        <div className="grid gap-4 md:grid-cols-2">
          <Skeleton className="h-56" />
          <Skeleton className="h-56" />
        </div>
      ) : configs.isError ? (
        <p role="alert" className="text-sm text-destructive">
          {errorMessage(configs.error)}
        </p>
      ) : configs.data.length === 0 ? (
        <EmptyState
          icon={Plug}
          title={status === "all" ? "No providers configured" : `No ${status} providers`}
          description={
            status === "all"
              ? canManage
                ? "Add the email, SMS, push or WhatsApp accounts Herald should send through."
                : "An admin of this tenant adds the provider accounts Herald sends through."
              : "Pick another status to see the rest."
          }
          action={
            canManage && status === "all" ? (
              <Button onClick={() => setCreating(true)}>
                <Plus aria-hidden /> Add provider
              </Button>
            ) : undefined
          }
        />
      ) : (
        <ul className="grid gap-4 md:grid-cols-2" aria-label="Provider configs">
          {configs.data.map((c) => (
            <li key={c.id} className="min-w-0">
              <ConfigCard config={c} canManage={canManage} onEdit={() => setEditing(c)} />
            </li>
          ))}
        </ul>
      )}
      {canManage ? (
        <ConfigFormDialog
          open={creating || editing !== null}
          config={editing}
          onOpenChange={(open) => {
            if (!open) setUrl({ dialog: null, edit: null });
          }}
        />
      ) : null}
    </div>
  );
}
