import { z } from "zod";
import { isoDateTime, limitQuery } from "./common";

export const auditLogQuery = z
  .object({
    before: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
    limit: limitQuery,
    /** An actor id (member or API key) or, for the system, its label. */
    actor: z.string().trim().min(1).max(320).optional(),
    /** An exact action (`member.role_changed`) or a prefix ending in `*` (`member.*`). */
    action: z
      .string()
      .trim()
      .max(100)
      .regex(/^[a-z0-9_.]+\*?$/, "An action such as member.role_changed, or a prefix such as member.*")
      .optional(),
    since: isoDateTime().optional(),
    until: isoDateTime().optional(),
  })
  .refine((v) => !v.since || !v.until || Date.parse(v.since) <= Date.parse(v.until), { message: "since must be before until", path: ["until"] });
export type AuditLogQuery = z.infer<typeof auditLogQuery>;

export interface AuditItemOut {
  id: number;
  action: string;
  actor: { type: string; id: string | null; label: string };
  /** `label`: the target's name now (email, display name, key…), else what the entry recorded. */
  target: { type: string; id: string | null; label: string | null };
  details: Record<string, unknown>;
  request_id: string | null;
  created_at: string;
}

export interface AuditLogOut {
  data: AuditItemOut[];
  next_before: number | null;
  /** On the first page only: what the actor and action filters can offer. */
  facets?: { actions: string[]; actors: { id: string | null; label: string; type: string }[] };
}
