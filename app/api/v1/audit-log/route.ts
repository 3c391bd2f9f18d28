import { readQuery } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { listAudit } from "@/lib/audit/list-audit";
import { auditLogQuery } from "@/lib/validations/audit-log";

/** The tenant's audit log: newest first, filtered by actor, action (exact or `prefix.*`) and time. */
export const GET = withApiAuth(
  async ({ req, ctx }) => Response.json(await listAudit(ctx, readQuery(req, auditLogQuery))),
  { sessionOnly: true, minRole: "admin" },
);
