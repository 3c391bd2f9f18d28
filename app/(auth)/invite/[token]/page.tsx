import type { Metadata } from "next";
import { getServerSession } from "next-auth";
import { CardContent, CardDescription, CardHeader } from "@/components/ui/card";
import { authOptions } from "@/lib/auth/next-auth";
import { describeInvitation } from "@/lib/members/invitations";
import { AcceptInvitation } from "./_components/accept-invitation";

export const metadata: Metadata = { title: "Invitation", referrer: "no-referrer" };
export const dynamic = "force-dynamic";

const closedText = {
  unknown: "This invitation link is not valid. Ask the person who invited you for a new one.",
  accepted: "This invitation has already been accepted. Sign in to continue.",
  revoked: "This invitation was revoked. Ask the person who invited you for a new one.",
  expired: "This invitation has expired. Ask the person who invited you to resend it.",
} as const;

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const view = await describeInvitation(token);
  const session = await getServerSession(authOptions);
  const signedInEmail = (session?.user as { email?: string } | undefined)?.email?.toLowerCase() ?? null;
  return (
    <>
      <CardHeader>
        <h1 className="text-xl leading-tight font-semibold">{view.status === "pending" ? `Join ${view.tenantName}` : "Invitation"}</h1>
        <CardDescription>
          {view.status === "pending"
            ? `You are invited to ${view.tenantName} on Herald as ${view.role}, with ${view.email}.`
            : closedText[view.status]}
        </CardDescription>
      </CardHeader>
      <CardContent>
        {view.status === "pending" ? (
          <AcceptInvitation token={token} email={view.email!} tenantName={view.tenantName!} expiresAt={view.expiresAt!} signedInEmail={signedInEmail} />
        ) : null}
      </CardContent>
    </>
  );
}
