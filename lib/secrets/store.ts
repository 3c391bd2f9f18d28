import { randomUUID } from "node:crypto";
import type { DbOrTx } from "@/db";
import { deleteSecrets, findSecret, insertSecret, listSecretMetadata, replaceSecretCiphertext } from "@/db/queries/secrets";
import { ENV_REF_PATTERN, SECRET_REF_PATTERN } from "@/lib/validations/provider-configs";
import { SecretStoreError, seal, secretAad, unseal } from "./crypto";

export { SecretStoreError } from "./crypto";

/** `secret:<id>` (stored, encrypted) or `env:<VAR>` (the server's environment). */
export type SecretRef = `secret:${string}` | `env:${string}`;

export type ParsedRef = { kind: "secret"; id: string } | { kind: "env"; name: string };

export function parseRef(ref: string): ParsedRef | undefined {
  if (SECRET_REF_PATTERN.test(ref)) return { kind: "secret", id: ref.slice("secret:".length).toLowerCase() };
  if (ENV_REF_PATTERN.test(ref)) return { kind: "env", name: ref.slice("env:".length) };
  return undefined;
}

export function secretRef(id: string): SecretRef {
  return `secret:${id}`;
}

/**
 * Which environment variables tenants may name in `env:` refs. Without a limit an admin could
 * point a config at `env:HERALD_MASTER_KEY` and an api_base_url they control, and have Herald
 * send the master key to them. HERALD_ENV_REF_ALLOW is a comma-separated list of names or
 * `PREFIX*` patterns; the default allows only HERALD_CRED_*.
 */
export function isEnvRefAllowed(name: string): boolean {
  const patterns = (process.env.HERALD_ENV_REF_ALLOW ?? "HERALD_CRED_*")
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  return patterns.some((p) => (p.endsWith("*") ? name.startsWith(p.slice(0, -1)) : name === p));
}

export async function createSecret(
  db: DbOrTx,
  input: { tenantId: string; label: string; value: string; createdBy: string | null },
): Promise<{ id: string; ref: SecretRef }> {
  const id = randomUUID();
  const sealed = seal(input.value, secretAad(input.tenantId, id));
  await insertSecret(db, { id, tenantId: input.tenantId, label: input.label, createdBy: input.createdBy, ...sealed });
  return { id, ref: secretRef(id) };
}

/** Replaces the value behind a stored ref; the ref stays the same, so referrers need no change. */
export async function rotateSecret(
  db: DbOrTx,
  input: { tenantId: string; ref: string; value: string; rotatedBy: string | null },
): Promise<{ rotatedAt: Date }> {
  const parsed = parseRef(input.ref);
  if (parsed?.kind !== "secret") throw new SecretStoreError("Only stored secrets can be rotated");
  const row = await replaceSecretCiphertext(db, {
    tenantId: input.tenantId,
    id: parsed.id,
    rotatedBy: input.rotatedBy,
    ...seal(input.value, secretAad(input.tenantId, parsed.id)),
  });
  if (!row) throw new SecretStoreError("The secret does not exist in this tenant");
  return { rotatedAt: row.rotatedAt! };
}

/** Whether a ref names something this tenant may use (a stored secret of its own, an allowed env var). */
export async function refExists(db: DbOrTx, tenantId: string, ref: string): Promise<boolean> {
  const parsed = parseRef(ref);
  if (!parsed) return false;
  if (parsed.kind === "env") return isEnvRefAllowed(parsed.name);
  return (await listSecretMetadata(db, { tenantId, ids: [parsed.id] })).length === 1;
}

/**
 * The plaintext behind a ref. Server-only; callers must never log, return or persist it
 * elsewhere. Throws SecretStoreError (without the value) when the ref cannot be resolved.
 */
export async function resolveSecretRef(db: DbOrTx, tenantId: string, ref: string): Promise<string> {
  const parsed = parseRef(ref);
  if (!parsed) throw new SecretStoreError("Malformed credential ref");
  if (parsed.kind === "env") {
    if (!isEnvRefAllowed(parsed.name)) throw new SecretStoreError(`Environment variable ${parsed.name} may not be used as a credential`);
    const value = process.env[parsed.name];
    if (!value) throw new SecretStoreError(`Environment variable ${parsed.name} is not set`);
    return value;
  }
  const row = await findSecret(db, { tenantId, id: parsed.id });
  if (!row) throw new SecretStoreError(`Stored secret ${ref} does not exist`);
  return unseal(row, secretAad(tenantId, row.id));
}

export interface RefMetadata {
  ref: string;
  source: "secret" | "env";
  set: boolean;
  createdAt: Date | null;
  rotatedAt: Date | null;
}

/** "set · last rotated <date>" material for many refs in one query; never touches ciphertext. */
export async function describeRefs(db: DbOrTx, tenantId: string, refs: string[]): Promise<Map<string, RefMetadata>> {
  const out = new Map<string, RefMetadata>();
  const ids: string[] = [];
  for (const ref of refs) {
    const parsed = parseRef(ref);
    if (parsed?.kind === "secret") ids.push(parsed.id);
    else if (parsed?.kind === "env") {
      out.set(ref, {
        ref,
        source: "env",
        set: isEnvRefAllowed(parsed.name) && Boolean(process.env[parsed.name]),
        createdAt: null,
        rotatedAt: null,
      });
    }
  }
  const rows = await listSecretMetadata(db, { tenantId, ids: [...new Set(ids)] });
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const ref of refs) {
    const parsed = parseRef(ref);
    if (parsed?.kind !== "secret") continue;
    const row = byId.get(parsed.id);
    out.set(ref, { ref, source: "secret", set: Boolean(row), createdAt: row?.createdAt ?? null, rotatedAt: row?.rotatedAt ?? null });
  }
  return out;
}

/** Deletes stored secrets a feature no longer uses (env refs are not Herald's to delete). */
export async function deleteStoredSecrets(db: DbOrTx, tenantId: string, refs: (string | null | undefined)[]): Promise<void> {
  const ids = refs.map((r) => (r ? parseRef(r) : undefined)).flatMap((p) => (p?.kind === "secret" ? [p.id] : []));
  await deleteSecrets(db, { tenantId, ids });
}
