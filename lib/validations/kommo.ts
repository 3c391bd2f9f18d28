import { z } from "zod";
import { ENV_REF_PATTERN, SECRET_REF_PATTERN } from "./provider-configs";
import { emailSchema, limitQuery, safeText } from "./common";

const secretRef = z.string().refine((v) => SECRET_REF_PATTERN.test(v) || ENV_REF_PATTERN.test(v), "Use a secret ref, e.g. secret:<id> or env:HERALD_CRED_…");

/** A secret is given either as a value (stored encrypted here) or as a ref to one stored before. */
const secretValue = safeText().trim().min(1, "Must not be empty").max(500);

export const createKommoIntegrationBody = z
  .object({
    subdomain: z
      .string()
      .trim()
      .toLowerCase()
      .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, "The account subdomain, e.g. acme for acme.kommo.com"),
    client_id: safeText().trim().min(1).max(200),
    client_secret: secretValue.optional(),
    client_secret_ref: secretRef.optional(),
    delete_mode: z.enum(["exclude", "delete"]).default("exclude"),
  })
  .strict()
  .refine((b) => Boolean(b.client_secret) !== Boolean(b.client_secret_ref), { message: "Give client_secret or client_secret_ref (one of them)", path: ["client_secret"] });
export type CreateKommoIntegrationBody = z.output<typeof createKommoIntegrationBody>;

const listId = z.union([z.string().regex(/^\d{1,12}$/, "A Unisender list id, e.g. 123"), z.number().int().positive().max(999_999_999_999)]).transform(String);

export const setUnisenderBody = z
  .object({
    api_key: secretValue.optional(),
    api_key_ref: secretRef.optional(),
    list_ids: z.array(listId).min(1, "Give at least one list id").max(20),
    delete_mode: z.enum(["exclude", "delete"]).optional(),
  })
  .strict()
  .refine((b) => !(b.api_key && b.api_key_ref), { message: "Give api_key or api_key_ref, not both", path: ["api_key"] });
export type SetUnisenderBody = z.output<typeof setUnisenderBody>;

export const unisenderListsBody = z
  .object({
    emails: z.array(emailSchema).min(1, "Give at least one email").max(500),
    /** 1: remove these emails (exclude or delete per the integration's setting); otherwise add them. */
    delete: z.union([z.literal(1), z.literal(0), z.boolean()]).optional(),
  })
  .strict();

export const kommoSyncQuery = z.object({ mode: z.enum(["full", "incremental"], "mode is full or incremental").default("full") });

export const unisenderContactQuery = z.object({ email: emailSchema });

export const kommoContactsQuery = z.object({
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  limit: z.coerce.number().int().min(1).max(250).default(50),
});

export const kommoRequestLogQuery = z.object({
  service: z.enum(["kommo", "unisender", "webhook"]).optional(),
  ok: z.enum(["true", "false"]).transform((v) => v === "true").optional(),
  before: z.coerce.number().int().positive().optional(),
  limit: limitQuery,
});

export const kommoOauthCallbackQuery = z.object({
  state: z.string().min(1).max(500),
  code: z.string().min(1).max(4000).optional(),
  error: z.string().max(200).optional(),
  referer: z.string().max(300).optional(),
  client_id: z.string().max(200).optional(),
});

export const kommoIntegrationOut = z.object({
  id: z.string(),
  subdomain: z.string(),
  client_id: z.string(),
  client_secret_ref: z.string(),
  redirect_uri: z.string(),
  webhook_url: z.string().nullable(),
  status: z.enum(["pending_authorization", "active", "error"]),
  error_reason: z.string().nullable(),
  access_expires_at: z.string().nullable(),
  unisender: z.object({ api_key_set: z.boolean(), api_key_ref: z.string().nullable(), list_ids: z.array(z.string()), delete_mode: z.enum(["exclude", "delete"]) }),
  sync: z.object({
    status: z.enum(["idle", "running", "done", "failed"]),
    pages: z.number(),
    contacts: z.number(),
    pushed: z.number(),
    error: z.string().nullable(),
    /** Set on an incremental sync: contacts updated since then. */
    updated_from: z.string().nullable(),
    started_at: z.string().nullable(),
    finished_at: z.string().nullable(),
  }),
  mirrored_contacts: z.number(),
  pending_webhooks: z.number(),
  created_at: z.string(),
});
export type KommoIntegrationOut = z.output<typeof kommoIntegrationOut>;

export const kommoRequestLogOut = z.object({
  id: z.number(),
  service: z.string(),
  operation: z.string(),
  method: z.string(),
  input: z.record(z.string(), z.unknown()),
  status: z.number().nullable(),
  ok: z.boolean(),
  summary: z.string(),
  duration_ms: z.number(),
  created_at: z.string(),
});
export type KommoRequestLogOut = z.output<typeof kommoRequestLogOut>;
