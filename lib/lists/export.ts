// CSV export of a list's (or segment's) members, produced page by page.
import type { TenantContext } from "@/lib/tenancy/context";
import type { ContactOut } from "@/lib/validations/contacts";
import { csvCell } from "@/lib/csv";
import { listMembers } from "./lists";


const columns = ["id", "external_id", "name", "email", "phone", "whatsapp", "locale", "timezone", "created_at"] as const;

function row(c: ContactOut): string {
  return `${columns.map((k) => csvCell(c[k])).join(",")}\r\n`;
}

/** Throws 404 before the first chunk for an unknown list, so the route can still answer JSON. */
export async function exportListCsv(ctx: TenantContext, listId: string): Promise<AsyncGenerator<string>> {
  const first = await listMembers(ctx, listId, { limit: 200 });
  async function* chunks() {
    yield `${columns.join(",")}\r\n`;
    let page = first;
    for (;;) {
      yield page.data.map(row).join("");
      if (!page.next_cursor) return;
      page = await listMembers(ctx, listId, { cursor: page.next_cursor, limit: 200 });
    }
  }
  return chunks();
}
