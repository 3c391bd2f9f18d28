"use client";

import { FileText, Plus } from "lucide-react";
import { useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Input } from "@/components/ui/input";
import { PageHeader } from "@/components/ui/page-header";
import { Skeleton } from "@/components/ui/skeleton";
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "@/components/ui/table";
import { errorMessage } from "@/lib/hooks/api-client";
import { useTemplates } from "@/lib/hooks/use-templates";
import { NewTemplateDialog } from "./new-template-dialog";
import { useFormat } from "@/components/format-provider";

export function TemplateList({
  canEdit,
  onOpen,
}: {
  canEdit: boolean;
  onOpen: (key: string) => void;
}) {
  const fmt = useFormat();
  const templates = useTemplates();
  const [creating, setCreating] = useState(false);
  const [q, setQ] = useState("");
  const shown = (templates.data ?? []).filter(
    (t) => !q || `${t.key} ${t.name}`.toLowerCase().includes(q.toLowerCase()),
  );
  const newButton = canEdit ? (
    <Button onClick={() => setCreating(true)}>
      <Plus aria-hidden /> New template
    </Button>
  ) : null;

  return (
    <div className="grid gap-2">
      <PageHeader
        title="Templates"
        description="Email, SMS, push and WhatsApp content with Liquid variables ({{ contact.first_name }}, {{ data.… }}), per locale, versioned. Sends name a template by its key."
        actions={templates.data?.length ? newButton : null}
      />
      {templates.isPending ? (
        <Skeleton className="h-40 w-full" />
      ) : templates.isError ? (
        <p className="text-sm text-destructive">{errorMessage(templates.error)}</p>
      ) : templates.data.length === 0 ? (
        <EmptyState
          icon={FileText}
          title="No templates yet"
          description={
            canEdit
              ? 'Create your first template: write the content once with variables, preview it for a real contact, publish it, then send with {"template": "<key>", "data": {…}}.'
              : "Staff members can create templates here."
          }
          action={newButton}
        />
      ) : (
        <Card>
          <CardContent className="grid gap-4">
            <Input
              aria-label="Search templates"
              placeholder="e.g. welcome"
              value={q}
              onChange={(e) => setQ(e.target.value)}
              className="max-w-xs"
            />
            <div className="overflow-x-auto">
              <Table>
                <TableHeader>
                  <TableRow>
                    <TableHead>Template</TableHead>
                    <TableHead>Category</TableHead>
                    <TableHead>Channels</TableHead>
                    <TableHead>Published</TableHead>
                    <TableHead>Updated</TableHead>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {shown.map((t) => (
                    <TableRow key={t.id}>
                      <TableCell>
                        <button
                          type="button"
                          className="text-left font-medium underline-offset-4 hover:underline focus-visible:underline"
                          onClick={() => onOpen(t.key)}
                        >
                          {t.name}
                        </button>
                        <div className="font-mono text-xs text-muted-foreground">{t.key}</div>
                      </TableCell>
                      <TableCell>
                        <Badge variant="outline">{t.category}</Badge>
                      </TableCell>
                      <TableCell className="text-sm">{t.channels.join(", ")}</TableCell>
                      <TableCell className="text-sm">
                        {t.published_version === null ? (
                          <Badge variant="secondary">Draft only</Badge>
                        ) : (
                          `v${t.published_version}`
                        )}
                        {t.published_version !== null && t.has_unpublished_changes ? (
                          <span className="ml-2 text-xs text-muted-foreground">
                            unpublished changes
                          </span>
                        ) : null}
                      </TableCell>
                      <TableCell className="text-sm whitespace-nowrap">
                        {fmt.dateTime(t.updated_at)}
                      </TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </div>
          </CardContent>
        </Card>
      )}
      <NewTemplateDialog open={creating} onOpenChange={setCreating} onCreated={onOpen} />
    </div>
  );
}
