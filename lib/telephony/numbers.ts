import { getDb, type DbOrTx } from "@/db";
import {
  deleteInboundNumber,
  findInboundNumber,
  findSchoolName,
  insertInboundNumber,
  listInboundNumbers,
  updateInboundNumber,
} from "@/db/queries/telephony";
import type { InboundNumber } from "@/db/schema";
import { ApiError } from "@/lib/api/errors";
import { recordAudit } from "@/lib/audit/record-audit";
import type { TenantContext } from "@/lib/tenancy/context";
import type { InboundNumberOutput } from "@/lib/validations/telephony";

function toOutput({ number: n, schoolName }: { number: InboundNumber; schoolName: string | null }): InboundNumberOutput {
  return {
    id: n.id,
    number: n.number,
    label: n.label,
    status: n.schoolId ? "assigned" : "free",
    school: n.schoolId && schoolName ? { id: n.schoolId, name: schoolName } : null,
    assigned_at: n.assignedAt?.toISOString() ?? null,
    created_at: n.createdAt.toISOString(),
  };
}

async function requireSchool(db: DbOrTx, ctx: TenantContext, schoolId: string) {
  const school = await findSchoolName(db, { tenantId: ctx.tenantId, id: schoolId });
  if (!school) {
    throw new ApiError({
      code: "validation_failed",
      message: "The school does not exist",
      details: [{ path: "school_id", message: "no such school in this tenant" }],
    });
  }
  return school;
}

export async function listNumbers(ctx: TenantContext, q: { status?: "free" | "assigned"; school_id?: string }) {
  const rows = await listInboundNumbers(getDb(), { tenantId: ctx.tenantId, status: q.status, schoolId: q.school_id });
  return { data: rows.map(toOutput) };
}

export async function addNumber(
  ctx: TenantContext,
  input: { number: string; label?: string; school_id?: string | null },
): Promise<InboundNumberOutput> {
  return getDb().transaction(async (tx) => {
    const school = input.school_id ? await requireSchool(tx, ctx, input.school_id) : null;
    const row = await insertInboundNumber(tx, {
      tenantId: ctx.tenantId,
      number: input.number,
      label: input.label || null,
      schoolId: school?.id ?? null,
    });
    if (!row) throw ApiError.conflict("This number is already in the pool", { number: input.number });
    await recordAudit(tx, ctx, {
      action: "inbound_number.added",
      targetType: "inbound_number",
      targetId: row.id,
      details: { number: row.number, school_id: row.schoolId },
    });
    return toOutput({ number: row, schoolName: school?.name ?? null });
  });
}

/** Assigns (school_id), releases (school_id null) or relabels a number. */
export async function updateNumber(
  ctx: TenantContext,
  id: string,
  input: { label?: string | null; school_id?: string | null },
): Promise<InboundNumberOutput> {
  return getDb().transaction(async (tx) => {
    const before = await findInboundNumber(tx, { tenantId: ctx.tenantId, id });
    if (!before) throw ApiError.notFound("Number");
    const school = input.school_id ? await requireSchool(tx, ctx, input.school_id) : null;
    const row = await updateInboundNumber(tx, {
      tenantId: ctx.tenantId,
      id,
      label: input.label === undefined ? undefined : input.label || null,
      schoolId: input.school_id === undefined ? undefined : (school?.id ?? null),
    });
    if (!row) throw ApiError.notFound("Number");
    const action =
      input.school_id === undefined
        ? "inbound_number.relabelled"
        : input.school_id
          ? "inbound_number.assigned"
          : "inbound_number.released";
    await recordAudit(tx, ctx, {
      action,
      targetType: "inbound_number",
      targetId: id,
      details: { number: row.number, from_school_id: before.number.schoolId, to_school_id: row.schoolId, label: row.label },
    });
    const schoolName = row.schoolId ? (school?.name ?? before.schoolName) : null;
    return toOutput({ number: row, schoolName });
  });
}

/** Removes a number from the pool; past calls keep their school link. */
export async function removeNumber(ctx: TenantContext, id: string): Promise<void> {
  await getDb().transaction(async (tx) => {
    const row = await deleteInboundNumber(tx, { tenantId: ctx.tenantId, id });
    if (!row) throw ApiError.notFound("Number");
    await recordAudit(tx, ctx, {
      action: "inbound_number.removed",
      targetType: "inbound_number",
      targetId: id,
      details: { number: row.number, school_id: row.schoolId },
    });
  });
}
