import { eq, sql } from "drizzle-orm";
import type { DbOrTx } from "../index";
import { users } from "../schema";

export async function findUserByEmail(db: DbOrTx, { email }: { email: string }) {
  return db.query.users.findFirst({ where: sql`lower(${users.email}) = ${email.toLowerCase()}` });
}

export async function findUserById(db: DbOrTx, { userId }: { userId: string }) {
  return db.query.users.findFirst({ where: eq(users.id, userId) });
}

export async function insertUser(
  db: DbOrTx,
  input: { email: string; name?: string | null; passwordHash: string; mustChangePassword: boolean },
) {
  const [row] = await db
    .insert(users)
    .values({ ...input, email: input.email.toLowerCase() })
    .returning();
  return row!;
}

/** Inserts unless the email already has an account (then undefined; concurrent inserts of one email serialise on the unique index). */
export async function insertUserIfAbsent(
  db: DbOrTx,
  input: { email: string; name?: string | null; passwordHash: string; mustChangePassword: boolean },
) {
  const [row] = await db
    .insert(users)
    .values({ ...input, email: input.email.toLowerCase() })
    .onConflictDoNothing()
    .returning();
  return row;
}

export async function updateUserPassword(
  db: DbOrTx,
  { userId, passwordHash, mustChangePassword }: { userId: string; passwordHash: string; mustChangePassword: boolean },
) {
  await db.update(users).set({ passwordHash, mustChangePassword }).where(eq(users.id, userId));
}

export async function touchUserSignIn(db: DbOrTx, { userId }: { userId: string }) {
  await db.update(users).set({ lastSignInAt: new Date() }).where(eq(users.id, userId));
}

export async function updateUserPreferences(
  db: DbOrTx,
  { userId, patch }: { userId: string; patch: { timezone?: string | null; locale?: string | null } },
) {
  const [row] = await db
    .update(users)
    .set({ ...patch, updatedAt: new Date() })
    .where(eq(users.id, userId))
    .returning({ timezone: users.timezone, locale: users.locale });
  return row;
}
