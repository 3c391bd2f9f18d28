import { z } from "zod";
import { allScopes, type Scope } from "@/lib/auth/permissions";

export const scopeSchema = z.enum(allScopes as [Scope, ...Scope[]]);

export const createApiKeyBody = z.object({
  name: z.string().trim().min(1, "Name is required").max(100),
  scopes: z.array(scopeSchema).min(1, "Pick at least one scope").max(allScopes.length),
});
export type CreateApiKeyBody = z.infer<typeof createApiKeyBody>;

/** What the API answers for a key; the hash never leaves the database. */
export const apiKeyOut = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  scopes: z.array(z.string()),
  status: z.enum(["active", "revoked"]),
  created_at: z.string(),
  last_used_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
  created_by: z.string().nullable(),
});
