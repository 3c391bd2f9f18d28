import { getDb } from "./index";
import { findTenantBySlug, insertTenant, upsertMembership } from "./queries/tenants";
import { findUserByEmail, insertUser } from "./queries/users";

export const DEMO_TENANT = { slug: "demo", name: "Demo Sports Federation" };
export const DEMO_OWNER_EMAIL = "owner@demo.herald.local";

/**
 * Creates the demo tenant and its owner on an empty embedded database. Returns the owner's
 * generated password only when it was just created, so it is printed exactly once. The caller
 * generates and hashes the password (db/ knows nothing of auth).
 */
export async function seedDemoTenant(owner: {
  generatePassword: () => string;
  hashPassword: (password: string) => Promise<string>;
}): Promise<{ email: string; password: string } | null> {
  const db = getDb();
  if (await findTenantBySlug(db, { slug: DEMO_TENANT.slug })) return null;
  const password = owner.generatePassword();
  const passwordHash = await owner.hashPassword(password);
  return db.transaction(async (tx) => {
    const tenant = await insertTenant(tx, DEMO_TENANT);
    if (!tenant) return null;
    const existing = await findUserByEmail(tx, { email: DEMO_OWNER_EMAIL });
    const user =
      existing ?? (await insertUser(tx, { email: DEMO_OWNER_EMAIL, name: "Demo Owner", passwordHash, mustChangePassword: false }));
    await upsertMembership(tx, { tenantId: tenant.id, userId: user.id, role: "owner" });
    return existing ? null : { email: DEMO_OWNER_EMAIL, password };
  });
}
