"use client";

import { Area, AreaChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { useFormat } from "@/components/format-provider";

const COLORS = ["var(--chart-1, #2563eb)", "var(--chart-2, #16a34a)", "var(--chart-3, #d97706)", "var(--chart-4, #db2777)", "var(--chart-5, #7c3aed)", "#0891b2", "#65a30d", "#dc2626"];

export interface SeriesPoint {
  bucket: string;
  [series: string]: number | string;
}

/** Stacked areas, one per series name (a channel or a provider), over time buckets. */
export function UsageChart({ data, series, granularity, label }: { data: SeriesPoint[]; series: string[]; granularity: "hour" | "day"; label: string }) {
  // Axis ticks and the tooltip read the same formatter as the tables: the user's zone and locale.
  const fmt = useFormat();
  return (
    <div className="h-64 w-full" role="img" aria-label={label}>
      <ResponsiveContainer width="100%" height="100%">
        <AreaChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
          <CartesianGrid strokeDasharray="3 3" className="stroke-muted" />
          <XAxis dataKey="bucket" tickFormatter={(b: string) => fmt.axis(b, granularity)} fontSize={12} minTickGap={24} />
          <YAxis allowDecimals={false} fontSize={12} tickFormatter={(v: number) => fmt.number(v)} />
          <Tooltip labelFormatter={(b) => fmt.bucket(String(b), granularity)} formatter={(v) => fmt.number(Number(v))} />
          <Legend />
          {series.map((name, i) => (
            <Area key={name} type="monotone" dataKey={name} stackId="1" stroke={COLORS[i % COLORS.length]} fill={COLORS[i % COLORS.length]} fillOpacity={0.25} />
          ))}
        </AreaChart>
      </ResponsiveContainer>
    </div>
  );
}

/** Pivots rows of `{bucket, <key>, sent}` into chart points `{bucket, [key]: sent}`. */
export function pivot<K extends string>(rows: ({ bucket: string; sent: number } & Record<K, string>)[], key: K): { data: SeriesPoint[]; series: string[] } {
  const byBucket = new Map<string, SeriesPoint>();
  const series = new Set<string>();
  for (const r of rows) {
    const name = r[key];
    series.add(name);
    const p = byBucket.get(r.bucket) ?? { bucket: r.bucket };
    p[name] = ((p[name] as number | undefined) ?? 0) + r.sent;
    byBucket.set(r.bucket, p);
  }
  return { data: [...byBucket.values()].sort((a, b) => (a.bucket < b.bucket ? -1 : 1)), series: [...series].sort() };
}
