"use client";

import { ScrollText } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { errorMessage } from "@/lib/hooks/api-client";
import { useAuditLog } from "@/lib/hooks/use-audit-log";
import { formatDateTime } from "@/lib/format";

export function AuditPanel() {
  const log = useAuditLog();
  const rows = log.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <Card>
      <CardHeader>
        <CardTitle>Audit log</CardTitle>
        <CardDescription>Every change to providers, keys, members and roles: who, what and when.</CardDescription>
      </CardHeader>
      <CardContent>
        {log.isPending ? (
          <Skeleton className="h-24 w-full" />
        ) : log.isError ? (
          <p className="text-sm text-destructive">{errorMessage(log.error)}</p>
        ) : rows.length === 0 ? (
          <EmptyState icon={ScrollText} title="Nothing recorded yet" description="Changes made in this tenant will appear here." />
        ) : (
          <>
            <Table>
              <TableHeader>
                <TableRow>
                  <TableHead>When</TableHead>
                  <TableHead>Who</TableHead>
                  <TableHead>What</TableHead>
                  <TableHead>Details</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {rows.map((r) => (
                  <TableRow key={r.id}>
                    <TableCell className="whitespace-nowrap">{formatDateTime(r.created_at)}</TableCell>
                    <TableCell>{r.actor.label}</TableCell>
                    <TableCell className="font-mono text-xs">{r.action}</TableCell>
                    <TableCell className="max-w-md truncate font-mono text-xs text-muted-foreground">
                      {JSON.stringify(r.details)}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
            {log.hasNextPage ? (
              <Button variant="outline" className="mt-4" onClick={() => log.fetchNextPage()} disabled={log.isFetchingNextPage}>
                Load older entries
              </Button>
            ) : null}
          </>
        )}
      </CardContent>
    </Card>
  );
}
