import { getDb } from "@/db";
import { findUserByEmail, touchUserSignIn } from "@/db/queries/users";
import { logger } from "@/lib/logger";
import { limiterStore } from "@/lib/rate-limit/store";
import { dummyPasswordHash, verifyPassword } from "./passwords";

/** Failed sign-ins allowed per window before further attempts are refused (documented in README). */
export const SIGN_IN_LIMITS = { perEmail: 5, perIp: 20, windowSeconds: 15 * 60 };

export type SignInResult =
  | { ok: true; user: { id: string; email: string; name: string | null } }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "rate_limited"; retryAfterSeconds: number };

function retryAfter(windowStart: Date): number {
  return Math.max(1, Math.ceil((windowStart.getTime() + SIGN_IN_LIMITS.windowSeconds * 1000 - Date.now()) / 1000));
}

/**
 * Checks a password with per-email and per-IP throttling of failures. Throttled attempts are
 * refused before the password is checked, so a guesser learns nothing while blocked.
 */
export async function signInWithPassword(input: { email: string; password: string; ip: string }): Promise<SignInResult> {
  const db = getDb();
  const store = await limiterStore();
  const email = input.email.trim().toLowerCase();
  const emailKey = `signin:email:${email}`;
  const ipKey = `signin:ip:${input.ip}`;
  const windowSeconds = SIGN_IN_LIMITS.windowSeconds;
  const [byEmail, byIp] = await Promise.all([
    store.peekWindow({ key: emailKey, windowSeconds }),
    store.peekWindow({ key: ipKey, windowSeconds }),
  ]);
  if (byEmail && byEmail.count >= SIGN_IN_LIMITS.perEmail) {
    return { ok: false, reason: "rate_limited", retryAfterSeconds: retryAfter(byEmail.windowStart) };
  }
  if (byIp && byIp.count >= SIGN_IN_LIMITS.perIp) {
    return { ok: false, reason: "rate_limited", retryAfterSeconds: retryAfter(byIp.windowStart) };
  }
  const user = await findUserByEmail(db, { email });
  const valid = await verifyPassword(user?.passwordHash ?? (await dummyPasswordHash()), input.password);
  if (!user || !valid) {
    await Promise.all([
      store.hitWindow({ key: emailKey, windowSeconds }),
      store.hitWindow({ key: ipKey, windowSeconds }),
    ]);
    logger.info({ ip: input.ip }, "failed sign-in");
    return { ok: false, reason: "invalid" };
  }
  await Promise.all([store.clearWindow({ key: emailKey }), touchUserSignIn(db, { userId: user.id })]);
  return { ok: true, user: { id: user.id, email: user.email, name: user.name } };
}
