"use client";

import { useMemo } from "react";
import { useFormat } from "@/components/format-provider";
import { createFormatter } from "@/lib/format";

/** The viewer's zone: their Settings → Account choice, else the browser's. */
export function useViewerZone(): string {
  return useFormat().prefs.timeZone;
}

/** A time in the viewer's zone, and in the event's zone when that differs. */
export function DualTime({ iso, eventZone, className }: { iso: string; eventZone: string; className?: string }) {
  const fmt = useFormat();
  const mine = fmt.prefs.timeZone;
  const theirs = useMemo(() => createFormatter({ ...fmt.prefs, timeZone: eventZone }), [fmt.prefs, eventZone]);
  return (
    <span className={className}>
      <time dateTime={iso}>{fmt.dateTimeShort(iso)}</time> <span className="text-muted-foreground">({mine})</span>
      {eventZone !== mine ? (
        <span className="block text-muted-foreground">
          {theirs.dateTimeShort(iso)} ({eventZone})
        </span>
      ) : null}
    </span>
  );
}

/** "in 3 h", "in 12 min", "2 d ago". */
export function relative(iso: string, now = Date.now()): string {
  const ms = new Date(iso).getTime() - now;
  const abs = Math.abs(ms);
  const text = abs < 3_600_000 ? `${Math.max(1, Math.round(abs / 60_000))} min` : abs < 172_800_000 ? `${Math.round(abs / 3_600_000)} h` : `${Math.round(abs / 86_400_000)} d`;
  return ms >= 0 ? `in ${text}` : `${text} ago`;
}
