import type { IssuedInvitation } from "./invitations";

export function memberJson(m: {
  userId: string;
  email: string;
  name: string | null;
  role: string;
  joinedAt: Date;
  lastSignInAt: Date | null;
}) {
  return {
    user_id: m.userId,
    email: m.email,
    name: m.name,
    role: m.role,
    joined_at: m.joinedAt.toISOString(),
    last_sign_in_at: m.lastSignInAt?.toISOString() ?? null,
  };
}

export function issuedJson(issued: IssuedInvitation) {
  return { invitation: issued.invitation, accept_url: issued.acceptUrl, emailed: issued.emailed.sent, ...(issued.emailed.sent ? { message_id: issued.emailed.messageId } : { email_reason: issued.emailed.reason }) };
}
