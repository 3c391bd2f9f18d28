"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { num, pct } from "@/components/usage/format";
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
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { Segmented } from "@/components/ui/segmented";
import { toast } from "@/components/ui/toaster";
import { errorMessage } from "@/lib/hooks/api-client";
import { useOtpBlocks, useOtpStats, useUnblockOtp, type OtpBlockOut } from "@/lib/hooks/use-otp";
import type { OtpRange, OtpStatsOut } from "@/lib/otp/stats";

const RANGES: { value: OtpRange; label: string }[] = [
  { value: "24h", label: "24 h" },
  { value: "7d", label: "7 d" },
  { value: "30d", label: "30 d" },
];

const REASONS: Record<string, string> = {
  destination_30s: "Same number within 30 s",
  destination_hour: "Number's hourly limit",
  destination_day: "Number's daily limit",
  client_hour: "API key / address hourly limit",
  tenant_day: "Tenant's daily limit",
  daily_spend_cap: "Daily spend cap",
  country_not_allowed: "Country not allowed",
  destination_blocked: "Blocked destination (pumping)",
};

/** UTC, stated: the same text on the server render and in every browser. */
const utc = (iso: string) => `${iso.slice(0, 16).replace("T", " ")} UTC`;
const seconds = (v: number | null) => (v === null ? "—" : v < 90 ? `${v.toFixed(0)} s` : `${(v / 60).toFixed(1)} min`);

function Stat({ title, value, hint }: { title: string; value: string; hint: string }) {
  return (
    <Card>
      <CardHeader>
        <CardDescription>{title}</CardDescription>
        <CardTitle className="text-2xl tabular-nums">{value}</CardTitle>
      </CardHeader>
      <CardContent className="text-xs text-muted-foreground">{hint}</CardContent>
    </Card>
  );
}

export function OtpView({
  initialStats,
  initialBlocks,
  canUnblock,
}: {
  initialStats: OtpStatsOut;
  initialBlocks: { data: OtpBlockOut[] };
  canUnblock: boolean;
}) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const range = (RANGES.find((r) => r.value === params.get("range"))?.value ?? initialStats.range) as OtpRange;
  const { data: s = initialStats } = useOtpStats(range, initialStats);
  const { data: blocks = initialBlocks } = useOtpBlocks(initialBlocks);
  const blockedTotal = s.blocked.reduce((n, b) => n + b.count, 0);
  const setRange = (v: string) => {
    const next = new URLSearchParams(params.toString());
    next.set("range", v);
    router.push(`${pathname}?${next}`, { scroll: false });
  };
  return (
    <div className="grid gap-6">
      <Segmented label="Range" value={range} options={RANGES} onChange={(v) => setRange(v)} />
      <div className="grid gap-4 sm:grid-cols-2 xl:grid-cols-4">
        <Stat title="Codes sent" value={num(s.sends)} hint={`${num(s.requests)} OTPs requested (resends included in sent)`} />
        <Stat title="Conversion" value={pct(s.conversion)} hint={`${num(s.verified)} of ${num(s.requests)} OTPs verified`} />
        <Stat title="Median time to verify" value={seconds(s.median_seconds_to_verify)} hint="From the request to the successful check" />
        <Stat title="Blocked attempts" value={num(blockedTotal)} hint="Refused by throttles, the allow-list, the spend cap or a block" />
      </div>
      <div className="grid gap-4 xl:grid-cols-2">
        <Card>
          <CardHeader>
            <CardTitle>Per country</CardTitle>
          </CardHeader>
          <CardContent className="overflow-x-auto">
            {s.countries.length ? (
              <Table>
                <TableHeader>
                  <TableRow>
                    <TableHead>Country</TableHead>
                    <TableHead className="text-right">Sent</TableHead>
                    <TableHead className="text-right">Conversion</TableHead>
                    <TableHead className="text-right">Median</TableHead>
                    <TableHead className="text-right">Blocked</TableHead>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {s.countries.map((c) => (
                    <TableRow key={c.country}>
                      <TableCell>{c.country}</TableCell>
                      <TableCell className="text-right tabular-nums">{num(c.sends)}</TableCell>
                      <TableCell className="text-right tabular-nums">{pct(c.conversion)}</TableCell>
                      <TableCell className="text-right tabular-nums">{seconds(c.median_seconds_to_verify)}</TableCell>
                      <TableCell className="text-right tabular-nums">{num(c.blocked)}</TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            ) : (
              <p className="text-sm text-muted-foreground">No codes requested in this range.</p>
            )}
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Blocked attempts by reason</CardTitle>
          </CardHeader>
          <CardContent>
            {s.blocked.length ? (
              <ul className="grid gap-2 text-sm">
                {s.blocked.map((b) => (
                  <li key={b.reason} className="flex justify-between gap-4">
                    <span>{REASONS[b.reason] ?? b.reason}</span>
                    <span className="tabular-nums">{num(b.count)}</span>
                  </li>
                ))}
              </ul>
            ) : (
              <p className="text-sm text-muted-foreground">Nothing refused in this range.</p>
            )}
          </CardContent>
        </Card>
      </div>
      <Card>
        <CardHeader>
          <CardTitle>Pumping blocks</CardTitle>
          <CardDescription>Countries and number prefixes blocked after many codes with almost none verified.</CardDescription>
        </CardHeader>
        <CardContent className="grid gap-3">
          {blocks.data.length ? (
            blocks.data.map((b) => <BlockRow key={b.id} block={b} canUnblock={canUnblock} />)
          ) : (
            <p className="text-sm text-muted-foreground">No destination has been blocked.</p>
          )}
        </CardContent>
      </Card>
    </div>
  );
}

function BlockRow({ block, canUnblock }: { block: OtpBlockOut; canUnblock: boolean }) {
  const unblock = useUnblockOtp();
  return (
    <div className="flex flex-wrap items-start justify-between gap-3 rounded-md border p-3">
      <div className="grid min-w-0 gap-1">
        <div className="flex flex-wrap items-center gap-2">
          <span className="font-medium break-all">
            {block.kind === "country" ? "Country" : "Prefix"} {block.value}
          </span>
          <Badge variant={block.active ? "destructive" : "secondary"}>{block.active ? "Blocked" : "Lifted"}</Badge>
        </div>
        <p className="text-sm break-words text-muted-foreground">{block.reason}</p>
        <p className="text-xs text-muted-foreground">
          Blocked {utc(block.created_at)}
          {block.unblocked_at ? ` · lifted ${utc(block.unblocked_at)} by ${block.unblocked_by ?? "an admin"}` : ""}
        </p>
      </div>
      {block.active && canUnblock ? (
        <AlertDialog>
          <AlertDialogTrigger asChild>
            <Button size="sm" variant="outline" disabled={unblock.isPending}>
              Unblock
            </Button>
          </AlertDialogTrigger>
          <AlertDialogContent>
            <AlertDialogHeader>
              <AlertDialogTitle>Unblock {block.value}?</AlertDialogTitle>
              <AlertDialogDescription>
                Codes to this {block.kind} are sent again at once. Detection starts over from now and blocks it again if the conversion collapses again.
              </AlertDialogDescription>
            </AlertDialogHeader>
            <AlertDialogFooter>
              <AlertDialogCancel>Cancel</AlertDialogCancel>
              <AlertDialogAction
                onClick={() =>
                  unblock.mutate(block.id, {
                    onSuccess: () => toast.success(`${block.value} unblocked`),
                    onError: (e) => toast.error(errorMessage(e)),
                  })
                }
              >
                Unblock
              </AlertDialogAction>
            </AlertDialogFooter>
          </AlertDialogContent>
        </AlertDialog>
      ) : null}
    </div>
  );
}
