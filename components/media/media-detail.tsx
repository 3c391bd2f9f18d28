"use client";

// One stored media as the dashboard shows it (the Media page's drawer, the Messages drawer).
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";
import { useFormat } from "@/components/format-provider";
import { mediaDownloadUrl } from "@/lib/hooks/use-media";
import { formatBytes, isImage } from "@/lib/media/media-format";
import type { MediaOut } from "@/lib/validations/media";

export function MediaStatusBadge({ status }: { status: MediaOut["status"] }) {
  return <Badge variant={status === "ready" ? "success" : status === "failed" ? "destructive" : "secondary"}>{status}</Badge>;
}

/** Preview, details, id and download of one media; shared with the message drawer. */
export function MediaDetail({ m }: { m: MediaOut }) {
  const fmt = useFormat();
  return (
    <div className="grid gap-3">
      {m.status === "ready" && isImage(m.content_type) ? (
        // eslint-disable-next-line @next/next/no-img-element -- the bytes come from Herald's own signed download, not a static asset
        <img src={mediaDownloadUrl(m.id, "inline")} alt={m.filename ?? "Image preview"} className="max-h-72 w-auto max-w-full rounded-md border object-contain" />
      ) : null}
      <dl className="grid grid-cols-[7rem_1fr] gap-x-3 gap-y-1.5 text-sm">
        <dt className="text-muted-foreground">Status</dt>
        <dd>
          <MediaStatusBadge status={m.status} />
          {m.error ? <span className="ml-2 text-xs text-destructive">{m.error}</span> : null}
        </dd>
        <dt className="text-muted-foreground">Id</dt>
        <dd className="flex min-w-0 items-center gap-1 font-mono text-xs break-all">
          {m.id}
          <CopyButton value={m.id} aria-label="Copy media id" />
        </dd>
        <dt className="text-muted-foreground">Type</dt>
        <dd className="break-all">{m.content_type ?? "—"}</dd>
        <dt className="text-muted-foreground">Size</dt>
        <dd>{m.size !== null ? formatBytes(m.size) : "—"}</dd>
        <dt className="text-muted-foreground">SHA-256</dt>
        <dd className="font-mono text-xs break-all">{m.sha256 ?? "—"}</dd>
        <dt className="text-muted-foreground">Source</dt>
        <dd>
          {m.source}
          {m.use ? ` · checked as ${m.use}` : ""}
        </dd>
        <dt className="text-muted-foreground">Created</dt>
        <dd>
          {fmt.dateTime(m.created_at)} by {m.created_by.label}
        </dd>
        <dt className="text-muted-foreground">Kept until</dt>
        <dd>{fmt.dateTime(m.expires_at)}</dd>
      </dl>
      {m.status === "ready" ? (
        <Button asChild variant="outline" size="sm" className="justify-self-start">
          <a href={mediaDownloadUrl(m.id)}>Download</a>
        </Button>
      ) : null}
    </div>
  );
}
