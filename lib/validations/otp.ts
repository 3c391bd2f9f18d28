import { z } from "zod";
import { E164_PATTERN } from "./common";

const country = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z]{2}$/, "Use a two-letter country code, e.g. SE");

export const createOtpBody = z
  .object({
    to: z.string().trim().regex(E164_PATTERN, "Use an international number in E.164 form, e.g. +46701234567"),
    channel: z.enum(["sms", "whatsapp"]),
    template: z
      .string()
      .min(1)
      .max(300)
      .refine((t) => (t.match(/\{\{code\}\}/g) ?? []).length === 1, "The template must contain {{code}} exactly once")
      .optional(),
    locale: z.string().regex(/^[a-zA-Z]{2,3}([-_][a-zA-Z0-9]{2,8})?$/, "Use a language tag, e.g. sv or en-GB").optional(),
    length: z.number().int().min(4).max(10).default(6),
    ttl_seconds: z.number().int().min(60).max(600).default(300),
    purpose: z.string().trim().min(1).max(64).optional(),
    idempotency_key: z.string().min(1).max(255).optional(),
  })
  .strict();
export type CreateOtpInput = z.output<typeof createOtpBody>;

export const verifyOtpBody = z
  .object({
    // Any string up to 32 characters: a wrong shape is a wrong code (and costs an attempt), not a 422
    // that would let a caller probe without spending attempts.
    code: z.string().max(32),
  })
  .strict();

export const otpPolicyBody = z
  .object({
    default_country: country.nullable().optional(),
    allowed_countries: z.array(country).max(250).nullable().optional(),
    limits: z
      .object({
        destination_30s: z.number().int().min(1).max(1000),
        destination_hour: z.number().int().min(1).max(10_000),
        destination_day: z.number().int().min(1).max(100_000),
        client_hour: z.number().int().min(1).max(1_000_000),
        tenant_day: z.number().int().min(1).max(10_000_000),
      })
      .partial()
      .strict()
      .nullable()
      .optional(),
    daily_spend_cap: z.number().min(0).max(10_000_000).nullable().optional(),
    cost_per_message: z.number().min(0).max(100).nullable().optional(),
    pumping_min_sends: z.number().int().min(1).max(100_000).nullable().optional(),
    pumping_min_conversion_percent: z.number().int().min(0).max(100).nullable().optional(),
  })
  .strict();
export type OtpPolicyInput = z.output<typeof otpPolicyBody>;

export const otpStatsQuery = z.object({ range: z.enum(["24h", "7d", "30d"]).default("7d") });

export interface OtpCreatedOut {
  otp_id: string;
  to: string;
  channel: "sms" | "whatsapp";
  expires_at: string;
  resend_available_at: string;
}

export type OtpVerifyOut =
  | { verified: true }
  | { verified: false; attempts_remaining: number; reason: "wrong_code" | "expired" | "too_many_attempts" | "already_used" };
