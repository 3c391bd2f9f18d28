import { getDb } from "@/db";
import { claimAlertMark, listQuotaConfigs, purgeAlertMarks } from "@/db/queries/alerts";
import { configQuotaUse } from "@/lib/usage/usage";
import { raiseAlert } from "./raise-alert";

/** Burn thresholds that raise an alert, highest first. */
const THRESHOLDS = [1, 0.8] as const;
const MARKS_KEPT_MS = 62 * 86_400_000;

/**
 * Quota burn of every config with a monthly quota, by the usage API's own definition
 * (`configQuotaUse`). A threshold alerts once per config and month (a mark in Postgres), and
 * reaching 100 % first also marks 80 %, so the lower alert never follows the higher one.
 */
export async function checkQuotaAlerts(now = new Date()): Promise<{ checked: number; raised: number }> {
  const db = getDb();
  const configs = await listQuotaConfigs(db);
  let raised = 0;
  for (const c of configs) {
    const use = await configQuotaUse({ tenantId: c.tenantId, configId: c.id, monthlyQuota: c.monthlyQuota }, now);
    const burn = use.burn ?? 0;
    const month = use.month_start.slice(0, 7);
    const reached = THRESHOLDS.filter((t) => burn >= t);
    if (reached.length === 0) continue;
    const marks = await Promise.all(reached.map((t) => claimAlertMark(db, { key: `quota:${c.id}:${month}:${t * 100}`, tenantId: c.tenantId })));
    if (!marks[0]) continue;
    const top = reached[0]!;
    raised++;
    raiseAlert({
      kind: "quota",
      severity: top >= 1 ? "error" : "warning",
      title: `Monthly quota ${top >= 1 ? "used up" : `${top * 100} % used`}: ${c.displayName} (${c.provider})`,
      text: `${use.used_this_month.toLocaleString("en")} of ${c.monthlyQuota.toLocaleString("en")} messages sent since ${use.month_start.slice(0, 10)} (${Math.round(burn * 100)} %); on this pace about ${use.projected_month_end.toLocaleString("en")} by the month's end.`,
      tenantId: c.tenantId,
      tenantSlug: c.tenantSlug,
      dedupeKey: `${c.id}:${month}:${top}`,
    });
  }
  await purgeAlertMarks(db, { before: new Date(now.getTime() - MARKS_KEPT_MS) });
  return { checked: configs.length, raised };
}
