"use client";

import { useRef, useState } from "react";
import { FileImage, Search, Trash2, Upload } from "lucide-react";
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
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { CopyButton } from "@/components/ui/copy-button";
import { EmptyState } from "@/components/ui/empty-state";
import { FILTER_ALL, FilterSelect } from "@/components/ui/filter-select";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Pagination, useCursorPagination } from "@/components/ui/pagination";
import { Sheet, SheetContent, SheetDescription, SheetHeader, SheetTitle } from "@/components/ui/sheet";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { toast } from "@/components/ui/toaster";
import { useFormat } from "@/components/format-provider";
import { errorMessage } from "@/lib/hooks/api-client";
import { useDeleteMedia, useMediaItem, useMediaList, useUploadMedia } from "@/lib/hooks/use-media";
import { useUrlState } from "@/lib/hooks/use-url-state";
import { formatBytes } from "@/lib/media/media-format";
import { mediaUses } from "@/lib/media/uses";
import type { MediaOut } from "@/lib/validations/media";
import { MediaDetail, MediaStatusBadge } from "@/components/media/media-detail";

const useOptions = [...mediaUses.values()].map((u) => ({
  value: u.id,
  label: `${u.label} (${u.types ? `${u.types.map((t) => t.split("/")[1]).slice(0, 3).join(", ")}${u.types.length > 3 ? " …" : ""}, ` : ""}up to ${formatBytes(u.maxBytes)})`,
}));

function UploadCard() {
  const upload = useUploadMedia();
  const input = useRef<HTMLInputElement>(null);
  const [use, setUse] = useState(FILTER_ALL);
  const [file, setFile] = useState<File | null>(null);
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (!file) return;
    upload.mutate(
      { file, use: use === FILTER_ALL ? undefined : use },
      {
        onSuccess: (m) => {
          toast.success(`Stored ${m.filename ?? "the file"} (${m.content_type}, ${formatBytes(m.size ?? 0)})`);
          setFile(null);
          if (input.current) input.current.value = "";
        },
        onError: (err) => toast.error(errorMessage(err)),
      },
    );
  };
  return (
    <Card>
      <CardContent>
        <form onSubmit={submit} className="flex flex-wrap items-end gap-3">
          <div className="grid min-w-0 gap-1.5">
            <Label htmlFor="media-file" className="text-xs text-muted-foreground">
              File
            </Label>
            <Input id="media-file" ref={input} type="file" className="max-w-72" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
          </div>
          <FilterSelect label="Check against" value={use} onChange={setUse} options={useOptions} className="w-64 max-w-full" />
          <Button type="submit" disabled={!file || upload.isPending}>
            <Upload aria-hidden /> {upload.isPending ? "Uploading…" : "Upload"}
          </Button>
        </form>
        <p className="mt-2 text-xs text-muted-foreground">
          The type is read from the file itself. “Check against” refuses a file the chosen use cannot send (e.g. a PDF as a WhatsApp image).
        </p>
      </CardContent>
    </Card>
  );
}

function DeleteButton({ m, onDeleted }: { m: MediaOut; onDeleted?: () => void }) {
  const remove = useDeleteMedia();
  const name = m.filename ?? m.id;
  return (
    <AlertDialog>
      <AlertDialogTrigger asChild>
        <Button variant="ghost" size="sm" aria-label={`Delete ${name}`}>
          <Trash2 aria-hidden />
        </Button>
      </AlertDialogTrigger>
      <AlertDialogContent>
        <AlertDialogHeader>
          <AlertDialogTitle>Delete “{name}”?</AlertDialogTitle>
          <AlertDialogDescription>The file is removed from storage. Messages still queued that name it will fail.</AlertDialogDescription>
        </AlertDialogHeader>
        <AlertDialogFooter>
          <AlertDialogCancel>Cancel</AlertDialogCancel>
          <AlertDialogAction
            variant="destructive"
            // mutateAsync, not mutate's callbacks: the refetch after the delete unmounts this
            // button (the drawer's record is gone), and per-call callbacks never fire after that.
            onClick={async () => {
              try {
                await remove.mutateAsync(m.id);
              } catch (e) {
                toast.error(errorMessage(e));
                return;
              }
              toast.success(`Deleted ${name}`);
              onDeleted?.();
            }}
          >
            Delete file
          </AlertDialogAction>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  );
}

function MediaSheet({ id, onClose, canWrite }: { id: string | null; onClose: () => void; canWrite: boolean }) {
  const item = useMediaItem(id);
  return (
    <Sheet open={id !== null} onOpenChange={(open) => (open ? null : onClose())}>
      <SheetContent className="w-full overflow-y-auto sm:max-w-xl">
        <SheetHeader>
          <SheetTitle className="break-all">{item.data?.filename ?? "Media"}</SheetTitle>
          <SheetDescription>Send it with its id: media_id in a WhatsApp media message, an email attachment or a push image.</SheetDescription>
        </SheetHeader>
        <div className="grid gap-4 px-4 pb-6">
          {item.isPending ? (
            <Skeleton className="h-40" />
          ) : item.isError ? (
            <p role="alert" className="text-sm text-destructive">
              {errorMessage(item.error)}
            </p>
          ) : (
            <>
              <MediaDetail m={item.data} />
              {canWrite ? <DeleteButton m={item.data} onDeleted={onClose} /> : null}
            </>
          )}
        </div>
      </SheetContent>
    </Sheet>
  );
}

export function MediaView({ canWrite }: { canWrite: boolean }) {
  const fmt = useFormat();
  const [url, setUrl] = useUrlState(["media", "q"] as const);
  const [search, setSearch] = useState(url.q ?? "");
  const pager = useCursorPagination();
  const list = useMediaList({ cursor: pager.cursor, q: url.q ?? undefined });
  const rows = list.data?.data ?? [];

  return (
    <div className="grid gap-4">
      {canWrite ? <UploadCard /> : null}
      <form
        className="flex flex-wrap items-end gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          pager.reset();
          setUrl({ q: search.trim() || null }, { push: true });
        }}
      >
        <div className="grid gap-1.5">
          <Label htmlFor="media-search" className="text-xs text-muted-foreground">
            File name
          </Label>
          <Input id="media-search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="e.g. logo.png" className="w-64 max-w-full" />
        </div>
        <Button type="submit" variant="outline">
          <Search aria-hidden /> Search
        </Button>
      </form>
      {list.isPending ? (
        <Skeleton className="h-40 w-full" />
      ) : list.isError ? (
        <p role="alert" className="text-sm text-destructive">
          {errorMessage(list.error)}
        </p>
      ) : rows.length === 0 ? (
        <EmptyState icon={FileImage} title={url.q ? "No file matches" : "No media yet"} description="Upload a file here or with POST /api/v1/media; files that come with inbound WhatsApp messages appear here too." />
      ) : (
        <Card>
          <CardContent className="p-0">
            <Table>
              <TableHeader>
                <TableRow>
                  <TableHead>File</TableHead>
                  <TableHead className="hidden sm:table-cell">Type</TableHead>
                  <TableHead className="text-right">Size</TableHead>
                  <TableHead className="hidden md:table-cell">Created (UTC)</TableHead>
                  <TableHead>
                    <span className="sr-only">Actions</span>
                  </TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {rows.map((m) => (
                  <TableRow key={m.id}>
                    <TableCell className="max-w-48 sm:max-w-72">
                      <button type="button" className="block max-w-full truncate text-left font-medium text-primary underline-offset-2 hover:underline" onClick={() => setUrl({ media: m.id }, { push: true })}>
                        {m.filename ?? m.id}
                      </button>
                      <span className="flex items-center gap-1 text-xs text-muted-foreground">
                        <MediaStatusBadge status={m.status} /> {m.source}
                      </span>
                    </TableCell>
                    <TableCell className="hidden text-sm sm:table-cell">{m.content_type ?? "—"}</TableCell>
                    <TableCell className="text-right text-sm tabular-nums">{m.size !== null ? formatBytes(m.size) : "—"}</TableCell>
                    <TableCell className="hidden text-sm md:table-cell">{fmt.dateTime(m.created_at)}</TableCell>
                    <TableCell className="text-right whitespace-nowrap">
                      <CopyButton value={m.id} aria-label={`Copy the id of ${m.filename ?? m.id}`} />
                      {canWrite ? <DeleteButton m={m} /> : null}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
            <Pagination
              summary={`Page ${pager.page}`}
              pending={list.isFetching && list.isPlaceholderData}
              previous={pager.hasPrevious ? pager.goPrevious : null}
              next={list.data.next_cursor ? () => pager.goNext(list.data.next_cursor!) : null}
            />
          </CardContent>
        </Card>
      )}
      <MediaSheet id={url.media} onClose={() => setUrl({ media: null })} canWrite={canWrite} />
    </div>
  );
}
