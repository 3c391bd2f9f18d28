import { getDb } from "@/db";
import { insertTenant } from "@/db/queries/tenants";
import { ApiError } from "@/lib/api/errors";
import { createTenantInput } from "@/lib/validations/members";

export async function createTenant(input: { slug: string; name: string }) {
  const data = createTenantInput.parse(input);
  const row = await insertTenant(getDb(), data);
  if (!row) throw ApiError.conflict(`A tenant with slug "${data.slug}" already exists`);
  return row;
}
