import { apiKeyOut } from "@/lib/validations/api-keys";

interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  createdByEmail?: string | null;
}

/** The public shape of a key: through the output schema, so the hash can never slip out. */
export function apiKeyJson(row: ApiKeyRow) {
  return apiKeyOut.parse({
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes,
    status: row.revokedAt ? "revoked" : "active",
    created_at: row.createdAt.toISOString(),
    last_used_at: row.lastUsedAt?.toISOString() ?? null,
    revoked_at: row.revokedAt?.toISOString() ?? null,
    created_by: row.createdByEmail ?? null,
  });
}
