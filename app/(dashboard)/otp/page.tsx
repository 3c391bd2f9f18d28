import { PageHeader } from "@/components/ui/page-header";
import { roleAtLeast } from "@/lib/auth/permissions";
import { memberContext, requireMember } from "@/lib/auth/session";
import { listOtpBlocks } from "@/lib/otp/blocks";
import { otpStats, type OtpRange } from "@/lib/otp/stats";
import { OtpView } from "./_components/otp-view";

export const metadata = { title: "OTP" };

const ranges: OtpRange[] = ["24h", "7d", "30d"];

export default async function OtpPage({ searchParams }: { searchParams: Promise<{ range?: string }> }) {
  const member = await requireMember();
  const ctx = memberContext(member);
  const { range: asked } = await searchParams;
  const range = ranges.includes(asked as OtpRange) ? (asked as OtpRange) : "7d";
  const [stats, blocks] = await Promise.all([otpStats(ctx, range), listOtpBlocks(ctx)]);
  return (
    <div className="grid gap-6">
      <PageHeader title="One-time passcodes" description="Codes sent and verified, per country, and what the pumping and throttle guards refused." />
      <OtpView initialStats={stats} initialBlocks={blocks} canUnblock={roleAtLeast(member.active.role, "admin")} />
    </div>
  );
}
