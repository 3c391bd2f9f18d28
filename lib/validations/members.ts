import { z } from "zod";
import { emailSchema } from "./common";

export const roleSchema = z.enum(["owner", "admin", "staff", "viewer"]);

/** An invitation names an email and a role; the invitee's name is theirs to give when accepting. */
export const inviteMemberBody = z.object({
  email: emailSchema,
  role: roleSchema,
});
export type InviteMemberBody = z.infer<typeof inviteMemberBody>;

export const changeRoleBody = z.object({ role: roleSchema });

export const createTenantInput = z.object({
  slug: z
    .string()
    .trim()
    .min(2)
    .max(48)
    .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "Use lower-case letters, digits and single dashes"),
  name: z.string().trim().min(1).max(200),
});

export const changePasswordBody = z
  .object({
    current_password: z.string().min(1).max(1024),
    new_password: z.string().min(12, "Use at least 12 characters").max(1024),
  })
  .refine((v) => v.current_password !== v.new_password, {
    path: ["new_password"],
    message: "Pick a password different from the current one",
  });

/** Accepting an invitation: nothing when signed in as the invitee; a password (and a name) for a new account. */
export const acceptInvitationBody = z.object({
  password: z.string().min(12, "Use at least 12 characters").max(1024).optional(),
  name: z.string().trim().max(200).optional(),
});
export type AcceptInvitationBody = z.infer<typeof acceptInvitationBody>;
