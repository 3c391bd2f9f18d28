import { randomBytes } from "node:crypto";
import { getDb } from "@/db";
import { insertTenant, upsertMembership } from "@/db/queries/tenants";
import { insertUser } from "@/db/queries/users";
import type { Role } from "@/db/schema";
import { hashPassword } from "@/lib/auth/passwords";
import type { TenantContext } from "@/lib/tenancy/context";

/** Test data builders: each test makes its own tenant, so files run in parallel safely. */
export function uniqueSlug(prefix = "t"): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`;
}

export async function makeTenant(name = "Test tenant") {
  const tenant = await insertTenant(getDb(), { name, slug: uniqueSlug() });
  return tenant!;
}

export async function makeUser(opts: { tenantId: string; role: Role; password?: string }) {
  const email = `${uniqueSlug("user")}@example.test`;
  const password = opts.password ?? "correct horse battery staple";
  const user = await insertUser(getDb(), { email, name: null, passwordHash: await hashPassword(password), mustChangePassword: false });
  await upsertMembership(getDb(), { tenantId: opts.tenantId, userId: user.id, role: opts.role });
  return { ...user, password };
}

export async function makeContext(role: Role = "owner"): Promise<TenantContext & { userId: string }> {
  const tenant = await makeTenant();
  const user = await makeUser({ tenantId: tenant.id, role });
  return {
    tenantId: tenant.id,
    tenantSlug: tenant.slug,
    actor: { type: "user", userId: user.id, email: user.email, role },
    requestId: `test_${randomBytes(4).toString("hex")}`,
    userId: user.id,
  };
}

export async function waitFor<T>(fn: () => Promise<T | undefined | null | false>, timeoutMs = 15_000, stepMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
