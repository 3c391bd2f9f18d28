import { z } from "zod";
import { readQuery } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { listAudit } from "@/lib/audit/list-audit";
import { limitQuery } from "@/lib/validations/common";

const query = z.object({ before: z.coerce.number().int().positive().optional(), limit: limitQuery });

export const GET = withApiAuth(
  async ({ req, ctx }) => Response.json(await listAudit(ctx, readQuery(req, query))),
  { sessionOnly: true, minRole: "admin" },
);
