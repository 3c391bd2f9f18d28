// Reminder presets ("24 h before: email + SMS + push"): a rule without an event, applied to many
// events at once. An event holds a copy (with preset_id), so editing a preset changes no plan.
import { getDb } from "@/db";
import { deletePreset as deletePresetRow, eventsWithPreset, findEventsByIds, findPreset, insertPreset, insertRules, listPresets as listPresetRows, updateEvent, updatePreset as updatePresetRow } from "@/db/queries/events";
import { findTemplateCategories } from "@/db/queries/templates";
import type { ReminderPreset, RuleSpec } from "@/db/schema/reminders";
import { ApiError } from "@/lib/api/errors";
import { recordAudit } from "@/lib/audit/record-audit";
import { isUniqueViolation } from "@/lib/schools/schools";
import type { TenantContext } from "@/lib/tenancy/context";
import { applyPresetOut, presetOut, type CreatePresetBody, type PresetOut, type UpdatePresetBody } from "@/lib/validations/reminders";
import { ruleSpecOut } from "./events";
import { planEvent } from "./plan";

function toPresetOut(p: ReminderPreset): PresetOut {
  const r = p.rule;
  return presetOut.parse({
    id: p.id,
    name: p.name,
    description: p.description,
    rule: ruleSpecOut({ name: r.name, timing: r.timing, channels: r.channels, channelPolicy: r.channel_policy, quietHours: r.quiet_hours, catchUp: r.catch_up }),
    created_at: p.createdAt.toISOString(),
    updated_at: p.updatedAt.toISOString(),
  });
}

function nameTaken(name: string, cause: unknown) {
  return new ApiError({ code: "conflict", message: `A preset named "${name}" already exists`, details: [{ path: "name", message: "Name already in use" }], cause });
}

async function assertTemplates(ctx: TenantContext, rule: RuleSpec) {
  const found = new Set((await findTemplateCategories(getDb(), { tenantId: ctx.tenantId, keys: rule.channels.map((c) => c.template) })).map((r) => r.key));
  const details = rule.channels.flatMap((c, i) => (found.has(c.template) ? [] : [{ path: `rule.channels[${i}].template`, message: `No template with the key ${c.template}` }]));
  if (details.length) throw new ApiError({ code: "validation_failed", message: "The preset names a template that does not exist", details });
}

export async function listPresets(ctx: TenantContext): Promise<{ data: PresetOut[] }> {
  return { data: (await listPresetRows(getDb(), { tenantId: ctx.tenantId })).map(toPresetOut) };
}

export async function getPreset(ctx: TenantContext, id: string): Promise<PresetOut> {
  const p = await findPreset(getDb(), { tenantId: ctx.tenantId, id });
  if (!p) throw ApiError.notFound("Preset");
  return toPresetOut(p);
}

export async function createPreset(ctx: TenantContext, body: CreatePresetBody): Promise<PresetOut> {
  await assertTemplates(ctx, body.rule);
  try {
    return toPresetOut(
      await getDb().transaction(async (tx) => {
        const p = await insertPreset(tx, { tenantId: ctx.tenantId, name: body.name, description: body.description ?? null, rule: body.rule });
        await recordAudit(tx, ctx, { action: "reminder_preset.created", targetType: "reminder_preset", targetId: p.id, details: { name: p.name } });
        return p;
      }),
    );
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken(body.name, err);
    throw err;
  }
}

export async function updatePreset(ctx: TenantContext, id: string, body: UpdatePresetBody): Promise<PresetOut> {
  if (body.rule) await assertTemplates(ctx, body.rule);
  try {
    return toPresetOut(
      await getDb().transaction(async (tx) => {
        const p = await updatePresetRow(tx, {
          tenantId: ctx.tenantId,
          id,
          values: { ...(body.name !== undefined ? { name: body.name } : {}), ...(body.description !== undefined ? { description: body.description } : {}), ...(body.rule ? { rule: body.rule } : {}) },
        });
        if (!p) throw ApiError.notFound("Preset");
        await recordAudit(tx, ctx, { action: "reminder_preset.updated", targetType: "reminder_preset", targetId: id, details: { fields: Object.keys(body) } });
        return p;
      }),
    );
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken(String(body.name), err);
    throw err;
  }
}

/** Deletes the preset; events keep the reminders copied from it. */
export async function deletePreset(ctx: TenantContext, id: string): Promise<void> {
  await getDb().transaction(async (tx) => {
    if (!(await deletePresetRow(tx, { tenantId: ctx.tenantId, id }))) throw ApiError.notFound("Preset");
    await recordAudit(tx, ctx, { action: "reminder_preset.deleted", targetType: "reminder_preset", targetId: id });
  });
}

/**
 * Copies the preset onto each named event (not cancelled) that does not carry it yet, then plans
 * them. Applying twice adds nothing: the second call lists those events as already applied.
 */
export async function applyPreset(ctx: TenantContext, id: string, eventIds: string[]) {
  const preset = await findPreset(getDb(), { tenantId: ctx.tenantId, id });
  if (!preset) throw ApiError.notFound("Preset");
  const unique = [...new Set(eventIds)];
  const result = await getDb().transaction(async (tx) => {
    const found = await findEventsByIds(tx, { tenantId: ctx.tenantId, ids: unique });
    const open = found.filter((e) => e.status !== "cancelled");
    const already = await eventsWithPreset(tx, { tenantId: ctx.tenantId, presetId: id, eventIds: open.map((e) => e.id) });
    const targets = open.filter((e) => !already.has(e.id));
    const r = preset.rule;
    const rows = await insertRules(
      tx,
      targets.map((e) => ({
        tenantId: ctx.tenantId,
        eventId: e.id,
        name: r.name,
        timing: r.timing,
        channels: r.channels,
        channelPolicy: r.channel_policy,
        quietHours: r.quiet_hours,
        catchUp: r.catch_up,
        presetId: id,
      })),
    );
    for (const e of targets) await updateEvent(tx, { tenantId: ctx.tenantId, id: e.id, values: { planRequestedAt: new Date() } });
    await recordAudit(tx, ctx, { action: "reminder_preset.applied", targetType: "reminder_preset", targetId: id, details: { events: targets.length } });
    const known = new Set(found.map((e) => e.id));
    return {
      applied: rows.map((row) => ({ event_id: row.eventId, reminder_id: row.id })),
      already_applied: [...already],
      cancelled: found.filter((e) => e.status === "cancelled").map((e) => e.id),
      not_found: unique.filter((e) => !known.has(e)),
    };
  });
  for (const a of result.applied) await planEvent(ctx.tenantId, a.event_id);
  return applyPresetOut.parse(result);
}
