import { withApiAuth } from "@/lib/api/with-api-auth";
import { schoolImportTemplate } from "@/lib/schools/import-template";

/** A CSV template for the school import: the columns, and one example row per allowed `type`. */
export const GET = withApiAuth(
  async () =>
    new Response(schoolImportTemplate(), {
      headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": 'attachment; filename="schools-template.csv"' },
    }),
  { scope: "schools:read" },
);
