"use client";

import Link from "next/link";
import { Download, Filter, ListChecks, Plus, Trash2 } from "lucide-react";
import {
  AlertDialog,
  AlertDialogAction,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
  AlertDialogTrigger,
} from "@/components/ui/alert-dialog";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Skeleton } from "@/components/ui/skeleton";
import { toast } from "@/components/ui/toaster";
import { errorMessage } from "@/lib/hooks/api-client";
import { useDeleteList, useLists } from "@/lib/hooks/use-lists";
import { useUrlState } from "@/lib/hooks/use-url-state";
import { ListFormDialog } from "./list-form-dialog";
import { useFormat } from "@/components/format-provider";

export function ListsView({ canWrite }: { canWrite: boolean }) {
  const fmt = useFormat();
  const [url, setUrl] = useUrlState(["dialog"] as const);
  const lists = useLists();
  const remove = useDeleteList();
  const rows = lists.data?.data ?? [];

  return (
    <div className="grid gap-4">
      {canWrite ? (
        <div className="flex flex-wrap gap-2">
          <Button onClick={() => setUrl({ dialog: "static" })}>
            <Plus aria-hidden /> New list
          </Button>
          <Button variant="outline" onClick={() => setUrl({ dialog: "segment" })}>
            <Filter aria-hidden /> New segment
          </Button>
        </div>
      ) : null}
      {lists.isPending ? (
        <Skeleton className="h-24 w-full" />
      ) : lists.isError ? (
        <p className="text-sm text-destructive">{errorMessage(lists.error)}</p>
      ) : rows.length === 0 ? (
        <EmptyState
          icon={ListChecks}
          title="No lists yet"
          description={
            <>
              Lists group <Link href="/contacts" className="text-primary underline underline-offset-2">contacts</Link> for a send: a static list holds chosen contacts (add them in bulk through the API), a
              segment follows a filter such as “team is u12 and age at least 10”.
            </>
          }
          action={canWrite ? <Button onClick={() => setUrl({ dialog: "segment" })}>Build the first segment</Button> : undefined}
        />
      ) : (
        <Card>
          <CardContent className="p-0">
            <ul className="divide-y">
              {rows.map((l) => (
                <li key={l.id} className="flex flex-wrap items-center gap-2 px-4 py-3">
                  <div className="grid min-w-0 flex-1 gap-0.5">
                    <span className="flex flex-wrap items-center gap-2 font-medium">
                      <span className="truncate">{l.name}</span>
                      <Badge variant={l.kind === "segment" ? "info" : "outline"}>{l.kind}</Badge>
                    </span>
                    <span className="text-sm text-muted-foreground">
                      {l.count.toLocaleString("en")} contacts · updated {fmt.dateTime(l.updated_at)}
                      {l.description ? ` · ${l.description}` : ""}
                    </span>
                  </div>
                  <Button asChild variant="ghost" size="sm">
                    <a href={`/api/v1/lists/${l.id}/members?format=csv`} download>
                      <Download aria-hidden /> CSV
                    </a>
                  </Button>
                  {l.kind === "static" ? (
                    <Button asChild variant="ghost" size="sm">
                      <Link href={`/contacts?list_id=${l.id}`}>Members</Link>
                    </Button>
                  ) : null}
                  {canWrite ? (
                    <AlertDialog>
                      <AlertDialogTrigger asChild>
                        <Button variant="ghost" size="sm" aria-label={`Delete ${l.name}`}>
                          <Trash2 aria-hidden />
                        </Button>
                      </AlertDialogTrigger>
                      <AlertDialogContent>
                        <AlertDialogHeader>
                          <AlertDialogTitle>Delete “{l.name}”?</AlertDialogTitle>
                          <AlertDialogDescription>The list goes away; its contacts stay.</AlertDialogDescription>
                        </AlertDialogHeader>
                        <AlertDialogFooter>
                          <AlertDialogCancel>Cancel</AlertDialogCancel>
                          <AlertDialogAction
                            variant="destructive"
                            onClick={() => remove.mutate(l.id, { onSuccess: () => toast.success(`Deleted ${l.name}`), onError: (e) => toast.error(errorMessage(e)) })}
                          >
                            Delete list
                          </AlertDialogAction>
                        </AlertDialogFooter>
                      </AlertDialogContent>
                    </AlertDialog>
                  ) : null}
                </li>
              ))}
            </ul>
          </CardContent>
        </Card>
      )}
      {canWrite ? (
        <ListFormDialog kind={url.dialog === "segment" ? "segment" : "static"} open={url.dialog === "static" || url.dialog === "segment"} onOpenChange={(o) => !o && setUrl({ dialog: null })} />
      ) : null}
    </div>
  );
}
