import Link from "next/link";
import type { StuckKind } from "@/lib/stuck-work/sweep";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";

const LABELS: Record<StuckKind, { label: string; href: string }> = {
  message: { label: "Messages queued or sending", href: "/messages" },
  webhook_delivery: { label: "Outbound webhook deliveries", href: "/webhooks" },
  call_event: { label: "Call events not published", href: "/calls" },
  call_command: { label: "Call commands not published", href: "/calls" },
  communication_event: { label: "Communication events not published", href: "/messages" },
  webhook_event: { label: "Provider webhook events not applied", href: "/webhooks" },
  inbound_media: { label: "Inbound media not downloaded", href: "/media" },
  kommo_sync: { label: "Kommo syncs not progressing", href: "/integrations?tab=kommo" },
};

/**
 * Work Herald accepted that is still not terminal past its deadline — the same definition the
 * stuck-work sweeper resolves every minute, so anything but 0 here is a live problem.
 */
export function StuckWorkCard({ counts, total }: { counts: Record<StuckKind, number>; total: number }) {
  return (
    <Card data-testid="overview-stuck-work">
      <CardHeader>
        <CardDescription>Stuck work</CardDescription>
        <CardTitle className="flex items-center gap-2 text-2xl tabular-nums">
          <span data-testid="overview-stuck-total">{total}</span>
          <Badge variant={total === 0 ? "success" : "destructive"}>{total === 0 ? "none" : "needs attention"}</Badge>
        </CardTitle>
      </CardHeader>
      <CardContent className="grid gap-1 text-xs text-muted-foreground">
        <p>Accepted work still not finished past its deadline (should be 0; resolved automatically each minute).</p>
        <ul className="grid gap-1 sm:grid-cols-2">
          {(Object.keys(LABELS) as StuckKind[]).map((kind) => (
            <li key={kind} className="flex justify-between gap-2">
              <Link href={LABELS[kind].href} className="truncate underline-offset-2 hover:underline">
                {LABELS[kind].label}
              </Link>
              <span className="tabular-nums" data-testid={`overview-stuck-${kind}`}>
                {counts[kind]}
              </span>
            </li>
          ))}
        </ul>
      </CardContent>
    </Card>
  );
}
