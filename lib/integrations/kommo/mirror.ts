// Pushing Kommo contact states to Unisender and recording them in Herald's mirror. A contact is
// held in Unisender under its first email; an email that changed or a deleted contact is removed
// (`exclude` from the lists, or deleted, per the integration's setting) before the new one is added.
import { getDb } from "@/db";
import { findKommoContacts, upsertKommoContacts, type MirrorRow } from "@/db/queries/kommo";
import type { KommoIntegration } from "@/db/schema";
import { excludeUnisenderContact, importUnisenderContacts, type ImportRow, type UnisenderTarget } from "@/lib/integrations/unisender/client";
import { resolveSecretRef } from "@/lib/secrets/store";
import type { KommoApiContact } from "./client";
import { IntegrationPermanentError } from "./errors";
import type { KommoContactChange } from "./webhook-form";

export interface ContactState {
  kommoId: number;
  name: string | null;
  emails: string[];
  phones: string[];
  modifiedAt: Date | null;
  deleted: boolean;
}

const normEmail = (e: string) => e.trim().toLowerCase();

export function stateFromApi(c: KommoApiContact): ContactState {
  const values = (code: string) =>
    (c.custom_fields_values ?? [])
      .filter((f) => f.field_code === code)
      .flatMap((f) => f.values ?? [])
      .map((v) => (typeof v.value === "string" ? v.value.trim() : ""))
      .filter(Boolean);
  return {
    kommoId: c.id,
    name: c.name ?? null,
    emails: values("EMAIL").map(normEmail),
    phones: values("PHONE"),
    modifiedAt: c.updated_at ? new Date(c.updated_at * 1000) : null,
    deleted: false,
  };
}

export function stateFromWebhook(c: KommoContactChange): ContactState {
  return {
    kommoId: c.id,
    name: c.name,
    emails: c.emails.map(normEmail),
    phones: c.phones,
    modifiedAt: c.modifiedAt ? new Date(c.modifiedAt * 1000) : null,
    deleted: c.action === "delete",
  };
}

export async function unisenderTarget(row: KommoIntegration): Promise<UnisenderTarget> {
  if (!row.unisenderKeyRef) throw new IntegrationPermanentError("No Unisender API key is set", "unisender_key_missing");
  return { tenantId: row.tenantId, integrationId: row.id, apiKey: await resolveSecretRef(getDb(), row.tenantId, row.unisenderKeyRef) };
}

/** Removes emails from Unisender per the integration's delete mode. */
export async function removeFromUnisender(row: KommoIntegration, target: UnisenderTarget, emails: string[]): Promise<void> {
  if (emails.length === 0) return;
  if (row.deleteMode === "delete") {
    await importUnisenderContacts(target, emails.map((email) => ({ email, delete: true })));
    return;
  }
  for (const email of emails) await excludeUnisenderContact(target, { email, listIds: row.unisenderListIds });
}

/**
 * Applies contact states (distinct Kommo ids) to Unisender, then records them in the mirror.
 * A state older than the mirror's is skipped. Returns how many contacts were written to Unisender.
 */
export async function mirrorContacts(row: KommoIntegration, target: UnisenderTarget, states: ContactState[]): Promise<number> {
  const previous = new Map(
    (await findKommoContacts(getDb(), { tenantId: row.tenantId, integrationId: row.id, kommoIds: states.map((s) => s.kommoId) })).map((p) => [p.kommoId, p]),
  );
  const fresh = states.filter((s) => {
    const p = previous.get(s.kommoId);
    return !(p?.kommoUpdatedAt && s.modifiedAt && s.modifiedAt < p.kommoUpdatedAt);
  });
  const removals: string[] = [];
  const imports: ImportRow[] = [];
  for (const s of fresh) {
    const before = previous.get(s.kommoId);
    const oldEmail = before && !before.deleted ? before.emails[0] : undefined;
    const newEmail = s.deleted ? undefined : s.emails[0];
    if (oldEmail && oldEmail !== newEmail) removals.push(oldEmail);
    if (newEmail) imports.push({ email: newEmail, phone: s.phones[0] ?? null, name: s.name, listIds: row.unisenderListIds });
  }
  await removeFromUnisender(row, target, removals);
  if (imports.length) await importUnisenderContacts(target, imports);
  const rows: MirrorRow[] = fresh.map((s) => ({
    kommoId: s.kommoId,
    name: s.name,
    emails: s.emails,
    phones: s.phones,
    kommoUpdatedAt: s.modifiedAt,
    deleted: s.deleted,
  }));
  await upsertKommoContacts(getDb(), { tenantId: row.tenantId, integrationId: row.id, rows });
  return imports.length;
}
