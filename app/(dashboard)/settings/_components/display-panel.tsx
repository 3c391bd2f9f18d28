"use client";

import { useRouter } from "next/navigation";
import { useMemo, useState, useTransition } from "react";
import { useBrowserPreferences, useFormat } from "@/components/format-provider";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { fieldBase } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { SubmitButton } from "@/components/ui/submit-button";
import { toast } from "@/components/ui/toaster";
import { createFormatter, startOfDayInZone, supportedTimeZones } from "@/lib/format";
import { errorMessage, fieldErrors } from "@/lib/hooks/api-client";
import { useTenantSettings, useUpdatePreferences, useUpdateTenantSettings } from "@/lib/hooks/use-preferences";
import { cn } from "@/lib/utils";

const BROWSER = "";
const locales = [
  ["en-GB", "English (United Kingdom)"],
  ["en-US", "English (United States)"],
  ["sv-SE", "Svenska (Sverige)"],
  ["tr-TR", "Türkçe (Türkiye)"],
  ["az-AZ", "Azərbaycan dili"],
  ["de-DE", "Deutsch (Deutschland)"],
  ["fr-FR", "Français (France)"],
] as const;

const selectClass = cn(fieldBase, "h-9 px-3 py-1");
const SAMPLE = "2026-12-01T21:14:05Z";

function ZoneSelect({ id, value, onChange, browserLabel, invalid, describedBy }: { id: string; value: string; onChange: (v: string) => void; browserLabel?: string; invalid?: boolean; describedBy?: string }) {
  const zones = useMemo(() => supportedTimeZones(), []);
  return (
    <select id={id} className={selectClass} value={value} onChange={(e) => onChange(e.target.value)} aria-invalid={invalid} aria-describedby={describedBy}>
      {browserLabel ? <option value={BROWSER}>{browserLabel}</option> : null}
      {value && !zones.includes(value) ? <option value={value}>{value}</option> : null}
      {zones.map((z) => (
        <option key={z} value={z}>
          {z.replace(/_/g, " ")}
        </option>
      ))}
    </select>
  );
}

/** The signed-in user's time zone and locale: every date, chart and date filter in the dashboard. */
export function DisplayPanel({ timezone, locale }: { timezone: string | null; locale: string | null }) {
  const router = useRouter();
  const browser = useBrowserPreferences();
  const [zone, setZone] = useState(timezone ?? BROWSER);
  const [lang, setLang] = useState(locale ?? BROWSER);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [refreshing, startRefresh] = useTransition();
  const update = useUpdatePreferences();
  const preview = createFormatter({ timeZone: zone || browser.timeZone, locale: lang || browser.locale });
  const dirty = zone !== (timezone ?? BROWSER) || lang !== (locale ?? BROWSER);

  return (
    <Card>
      <CardHeader>
        <CardTitle>Time zone and format</CardTitle>
        <CardDescription>How the dashboard shows dates and times to you: tables, drawers, charts and date filters. Only you see this choice.</CardDescription>
      </CardHeader>
      <CardContent>
        <form
          className="grid max-w-md gap-4"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            setErrors({});
            update.mutate(
              { timezone: zone || null, locale: lang || null },
              {
                onSuccess: () => {
                  toast.success("Display preferences saved");
                  // The layout reads them on the server: refresh it so every page formats with them.
                  startRefresh(() => router.refresh());
                },
                onError: (err) => {
                  const fields = fieldErrors(err);
                  setErrors(fields);
                  if (!fields.timezone && !fields.locale) toast.error(errorMessage(err));
                },
              },
            );
          }}
        >
          <div className="grid gap-1.5">
            <Label htmlFor="pref-timezone">Time zone</Label>
            <ZoneSelect id="pref-timezone" value={zone} onChange={setZone} browserLabel={`This browser's (${browser.timeZone.replace(/_/g, " ")})`} invalid={Boolean(errors.timezone)} describedBy="pref-timezone-error" />
            {errors.timezone ? (
              <p id="pref-timezone-error" className="text-xs text-destructive">
                {errors.timezone}
              </p>
            ) : null}
          </div>
          <div className="grid gap-1.5">
            <Label htmlFor="pref-locale">Date and number format</Label>
            <select id="pref-locale" className={selectClass} value={lang} onChange={(e) => setLang(e.target.value)} aria-invalid={Boolean(errors.locale)}>
              <option value={BROWSER}>This browser&apos;s ({browser.locale})</option>
              {lang && !locales.some(([l]) => l === lang) ? <option value={lang}>{lang}</option> : null}
              {locales.map(([l, label]) => (
                <option key={l} value={l}>
                  {label}
                </option>
              ))}
            </select>
            {errors.locale ? <p className="text-xs text-destructive">{errors.locale}</p> : null}
          </div>
          <p className="text-sm text-muted-foreground" data-testid="display-preview">
            Example: {preview.dateTime(SAMPLE)} · {preview.number(1234567.5)}
          </p>
          <SubmitButton className="justify-self-start" pending={update.isPending || refreshing} pendingLabel="Saving…" blockedReason={dirty ? null : "No changes to save"}>
            Save
          </SubmitButton>
        </form>
      </CardContent>
    </Card>
  );
}

/** The tenant's zone: where "today" and "this month" begin for usage and call counters. */
export function TenantZonePanel({ canManage }: { canManage: boolean }) {
  const fmt = useFormat();
  const settings = useTenantSettings();
  const update = useUpdateTenantSettings();
  const [zone, setZone] = useState<string | null>(null);
  const current = settings.data?.timezone ?? "UTC";
  const value = zone ?? current;
  return (
    <Card>
      <CardHeader>
        <CardTitle>Tenant time zone</CardTitle>
        <CardDescription>
          Where the day starts for everyone in {settings.data?.name ?? "this tenant"}: &ldquo;Sends today&rdquo;, the calls page&apos;s &ldquo;Today&rdquo;, daily chart
          buckets and &ldquo;this month&rdquo; for provider quotas.
        </CardDescription>
      </CardHeader>
      <CardContent>
        <form
          className="grid max-w-md gap-4"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            update.mutate(
              { timezone: value },
              {
                onSuccess: (t) => {
                  setZone(null);
                  toast.success(`Days now start at midnight in ${t.timezone.replace(/_/g, " ")}`);
                },
                onError: (err) => toast.error(fieldErrors(err).timezone ?? errorMessage(err)),
              },
            );
          }}
        >
          <div className="grid gap-1.5">
            <Label htmlFor="tenant-timezone">Time zone</Label>
            {canManage ? (
              <ZoneSelect id="tenant-timezone" value={value} onChange={setZone} />
            ) : (
              <p id="tenant-timezone" className="text-sm">
                {current.replace(/_/g, " ")}
              </p>
            )}
            <p className="text-xs text-muted-foreground" data-testid="tenant-day-start">
              With this zone, today began at {fmt.dateTime(startOfDayInZone(new Date(), value))}.{canManage ? "" : " Admins can change it."}
            </p>
          </div>
          {canManage ? (
            <SubmitButton className="justify-self-start" pending={update.isPending} pendingLabel="Saving…" blockedReason={value === current ? "No changes to save" : null}>
              Save
            </SubmitButton>
          ) : null}
        </form>
      </CardContent>
    </Card>
  );
}
