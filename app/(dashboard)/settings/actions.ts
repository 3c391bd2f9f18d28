"use server";

import { getServerSession } from "next-auth";
import { ApiError, zodDetails } from "@/lib/api/errors";
import { authOptions } from "@/lib/auth/next-auth";
import { changeOwnPassword } from "@/lib/members/members";
import { changePasswordBody } from "@/lib/validations/members";

export type ActionResult = { ok: true } | { ok: false; error: { code: string; message: string; details?: unknown } };

export async function changePasswordAction(input: unknown): Promise<ActionResult> {
  const session = await getServerSession(authOptions);
  const userId = (session?.user as { id?: string } | undefined)?.id;
  if (!userId) return { ok: false, error: { code: "unauthorized", message: "Sign in to continue" } };
  const parsed = changePasswordBody.safeParse(input);
  if (!parsed.success) {
    return { ok: false, error: { code: "validation_failed", message: "Check the highlighted fields", details: zodDetails(parsed.error) } };
  }
  try {
    await changeOwnPassword(userId, { currentPassword: parsed.data.current_password, newPassword: parsed.data.new_password });
    return { ok: true };
  } catch (err) {
    if (err instanceof ApiError) return { ok: false, error: { code: err.code, message: err.message, details: err.details } };
    throw err;
  }
}
