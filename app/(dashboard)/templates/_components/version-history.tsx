"use client";

import { useState } from "react";
import {
  AlertDialog,
  AlertDialogAction,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
} from "@/components/ui/alert-dialog";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Skeleton } from "@/components/ui/skeleton";
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "@/components/ui/table";
import { toast } from "@/components/ui/toaster";
import { errorMessage } from "@/lib/hooks/api-client";
import { useRollbackTemplate, useTemplateVersions } from "@/lib/hooks/use-templates";
import { useFormat } from "@/components/format-provider";

export function VersionHistory({
  templateKey,
  canEdit,
}: {
  templateKey: string;
  canEdit: boolean;
}) {
  const fmt = useFormat();
  const versions = useTemplateVersions(templateKey);
  const rollback = useRollbackTemplate(templateKey);
  const [target, setTarget] = useState<number | null>(null);

  return (
    <Card>
      <CardHeader>
        <CardTitle>Versions</CardTitle>
        <CardDescription>
          Published versions never change. Sends render the live one and record its number.
        </CardDescription>
      </CardHeader>
      <CardContent>
        {versions.isPending ? (
          <Skeleton className="h-24 w-full" />
        ) : versions.isError ? (
          <p className="text-sm text-destructive">{errorMessage(versions.error)}</p>
        ) : versions.data.length === 0 ? (
          <EmptyState
            title="Not published yet"
            titleAs="h3"
            description="Publish the draft to create version 1; sends by this template start working then."
          />
        ) : (
          <div className="overflow-x-auto">
            <Table>
              <TableHeader>
                <TableRow>
                  <TableHead>Version</TableHead>
                  <TableHead>Published</TableHead>
                  <TableHead>By</TableHead>
                  <TableHead>Note</TableHead>
                  <TableHead className="sr-only">Actions</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {versions.data.map((v) => (
                  <TableRow key={v.version}>
                    <TableCell>
                      v{v.version} {v.current ? <Badge variant="success">Live</Badge> : null}
                    </TableCell>
                    <TableCell className="whitespace-nowrap text-sm">
                      {fmt.dateTime(v.published_at)}
                    </TableCell>
                    <TableCell className="text-sm">{v.published_by}</TableCell>
                    <TableCell className="text-sm">{v.note || "—"}</TableCell>
                    <TableCell className="text-right">
                      {canEdit && !v.current ? (
                        <Button variant="outline" size="sm" onClick={() => setTarget(v.version)}>
                          Roll back to v{v.version}
                        </Button>
                      ) : null}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </div>
        )}
      </CardContent>
      <AlertDialog open={target !== null} onOpenChange={(o) => !o && setTarget(null)}>
        <AlertDialogContent>
          <AlertDialogHeader>
            <AlertDialogTitle>Roll back to version {target}?</AlertDialogTitle>
            <AlertDialogDescription>
              Sends render version {target} again from now on, and the draft is replaced by its
              content.
            </AlertDialogDescription>
          </AlertDialogHeader>
          <AlertDialogFooter>
            <AlertDialogCancel>Cancel</AlertDialogCancel>
            <AlertDialogAction
              onClick={() =>
                target !== null &&
                rollback.mutate(target, {
                  onSuccess: () => {
                    toast.success(`Version ${target} is live again`);
                    setTarget(null);
                  },
                  onError: (e) => toast.error(errorMessage(e)),
                })
              }
            >
              Roll back
            </AlertDialogAction>
          </AlertDialogFooter>
        </AlertDialogContent>
      </AlertDialog>
    </Card>
  );
}
