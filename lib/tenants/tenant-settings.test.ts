// "Today" and day buckets follow the tenant's zone; preferences and the tenant zone validate and audit.
import { afterAll, describe, expect, it } from "vitest";
import { closeDb, getDb } from "@/db";
import { listAuditEntries } from "@/db/queries/audit-log";
import { appendUsage } from "@/db/queries/usage";
import { getUserPreferences, updateUserPreferences } from "@/lib/preferences/user-preferences";
import { makeContext } from "@/lib/test/factories";
import { getOverview } from "@/lib/usage/usage";
import { tenantSettingsBody, userPreferencesBody } from "@/lib/validations/preferences";
import { getTenantSettings, updateTenantSettings } from "./tenant-settings";

afterAll(async () => {
  await closeDb();
});

describe("tenant time zone", () => {
  it("starts today at the tenant's midnight and buckets days there", async () => {
    const ctx = await makeContext("admin");
    expect((await getTenantSettings(ctx)).timezone).toBe("UTC");
    // 01:30 on 11 March in Tokyo (UTC+9) is 16:30 on 10 March in UTC.
    const now = new Date("2026-03-10T16:30:00Z");
    const sent = (at: string) => ({ tenantId: ctx.tenantId, configId: null, provider: null, channel: "sms" as const, at: new Date(at), sent: 1 });
    // 00:10 on 11 March in Tokyo, and 23:10 on 10 March in Tokyo: both on 10 March in UTC.
    await appendUsage(getDb(), [sent("2026-03-10T15:10:00Z"), sent("2026-03-10T14:10:00Z")]);

    expect((await getOverview(ctx, "7d", now)).sends_today).toBe(2);
    await updateTenantSettings(ctx, tenantSettingsBody.parse({ timezone: "asia/tokyo" }));
    expect((await getTenantSettings(ctx)).timezone).toBe("Asia/Tokyo");

    const week = await getOverview(ctx, "7d", now);
    expect(week.sends_today).toBe(1);
    const sms = week.by_channel.filter((p) => p.channel === "sms");
    expect(sms.at(-1)).toMatchObject({ bucket: "2026-03-10T15:00:00.000Z", sent: 1 });
    expect(sms.at(-2)).toMatchObject({ bucket: "2026-03-09T15:00:00.000Z", sent: 1 });
    expect((await getOverview(ctx, "24h", now)).sends_today).toBe(1);

    const [entry] = await listAuditEntries(getDb(), { tenantId: ctx.tenantId, limit: 1 });
    expect(entry).toMatchObject({ targetLabel: expect.any(String), action: "tenant.settings_updated", details: { timezone: { from: "UTC", to: "Asia/Tokyo" } } });
  });

  it("refuses a zone that does not exist, in words", () => {
    const r = tenantSettingsBody.safeParse({ timezone: "Mars/Olympus" });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.message).toBe("Use an IANA time zone (e.g. Europe/Stockholm)");
  });
});

describe("user display preferences", () => {
  it("stores zone and locale per user; blank goes back to the browser's", async () => {
    const ctx = await makeContext("viewer");
    expect(await getUserPreferences(ctx)).toEqual({ timezone: null, locale: null });
    await updateUserPreferences(ctx, userPreferencesBody.parse({ timezone: "Europe/Stockholm", locale: "sv-se" }));
    expect(await getUserPreferences(ctx)).toEqual({ timezone: "Europe/Stockholm", locale: "sv-SE" });
    await updateUserPreferences(ctx, userPreferencesBody.parse({ locale: "" }));
    expect(await getUserPreferences(ctx)).toEqual({ timezone: "Europe/Stockholm", locale: null });
  });

  it("belong to people, not API keys", async () => {
    const ctx = await makeContext("admin");
    await expect(getUserPreferences({ ...ctx, actor: { type: "api_key", keyId: "k", name: "svc", scopes: [] } })).rejects.toMatchObject({ status: 403 });
  });
});
