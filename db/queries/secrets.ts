import { and, eq, inArray } from "drizzle-orm";
import type { DbOrTx } from "../index";
import { secrets, type NewSecret } from "../schema";

export async function insertSecret(db: DbOrTx, input: NewSecret & { id: string }) {
  const [row] = await db.insert(secrets).values(input).returning();
  return row!;
}

export async function findSecret(db: DbOrTx, { tenantId, id }: { tenantId: string; id: string }) {
  return db.query.secrets.findFirst({ where: and(eq(secrets.tenantId, tenantId), eq(secrets.id, id)) });
}

/** Metadata only: the ciphertext columns are not selected. */
export async function listSecretMetadata(db: DbOrTx, { tenantId, ids }: { tenantId: string; ids: string[] }) {
  if (ids.length === 0) return [];
  return db
    .select({ id: secrets.id, label: secrets.label, createdAt: secrets.createdAt, rotatedAt: secrets.rotatedAt })
    .from(secrets)
    .where(and(eq(secrets.tenantId, tenantId), inArray(secrets.id, ids)));
}

export async function replaceSecretCiphertext(
  db: DbOrTx,
  input: { tenantId: string; id: string; ciphertext: string; iv: string; authTag: string; keyVersion: number; rotatedBy: string | null },
) {
  const [row] = await db
    .update(secrets)
    .set({
      ciphertext: input.ciphertext,
      iv: input.iv,
      authTag: input.authTag,
      keyVersion: input.keyVersion,
      rotatedAt: new Date(),
      rotatedBy: input.rotatedBy,
    })
    .where(and(eq(secrets.tenantId, input.tenantId), eq(secrets.id, input.id)))
    .returning({ id: secrets.id, rotatedAt: secrets.rotatedAt });
  return row;
}

export async function deleteSecrets(db: DbOrTx, { tenantId, ids }: { tenantId: string; ids: string[] }) {
  if (ids.length === 0) return;
  await db.delete(secrets).where(and(eq(secrets.tenantId, tenantId), inArray(secrets.id, ids)));
}
