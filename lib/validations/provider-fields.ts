// Field validators of provider settings, shared by the provider definitions, the config bodies and the forms.
import { z } from "zod";
import { E164_PATTERN } from "./common";

/** E.164: a plus, a country code that doesn't start with 0, at most 15 digits in all. */
export const e164Schema = z
  .string()
  .trim()
  .regex(E164_PATTERN, "Use an E.164 number: + country code and number, digits only (e.g. +46700000000)");

// GSM 03.38 basic-set characters that senders accept; extension characters (€, [, ] …) take two
// septets, so they are left out rather than miscounted.
const ALPHANUMERIC_SENDER = /^[A-Za-z0-9 &'()*,.\-/:;<=>?!_@#%]+$/;

/** An SMS sender: an E.164 number, or at most 11 GSM characters with at least one letter. */
export const senderIdSchema = z
  .string()
  .trim()
  .min(1, "A sender is required")
  .superRefine((value, issue) => {
    if (value.startsWith("+") || /^\d+$/.test(value)) {
      if (!E164_PATTERN.test(value)) {
        issue.addIssue({ code: "custom", message: "A numeric sender must be an E.164 number (e.g. +46700000000)" });
      }
      return;
    }
    if (value.length > 11) {
      issue.addIssue({ code: "custom", message: "An alphanumeric sender is at most 11 characters" });
    } else if (!ALPHANUMERIC_SENDER.test(value)) {
      issue.addIssue({ code: "custom", message: "Use letters A–Z, digits, spaces and basic punctuation (GSM characters)" });
    } else if (!/[A-Za-z]/.test(value)) {
      issue.addIssue({ code: "custom", message: "An alphanumeric sender needs at least one letter" });
    }
  });

// Intl knows these codes but they are not ISO 3166-1 countries.
const NOT_COUNTRIES = new Set(["EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"]);
let regionNames: Intl.DisplayNames | undefined;

/** The English name of an ISO 3166-1 alpha-2 code, or undefined when it names no country. */
export function countryName(code: string): string | undefined {
  if (!/^[A-Z]{2}$/.test(code) || NOT_COUNTRIES.has(code)) return undefined;
  regionNames ??= new Intl.DisplayNames(["en"], { type: "region" });
  try {
    const name = regionNames.of(code);
    return name && name !== code ? name : undefined;
  } catch {
    return undefined;
  }
}

export const countryCodeSchema = z
  .string()
  .trim()
  .toUpperCase()
  .refine((c) => countryName(c) !== undefined, "Use an ISO 3166-1 alpha-2 country code (e.g. SE, US)");

/** BCP 47, canonicalised; WhatsApp's `en_US` spelling is accepted and stored as `en-US`. */
export const languageTagSchema = z
  .string()
  .trim()
  .min(2, "Use a BCP 47 language tag (e.g. en-US)")
  .transform((value, ctx) => {
    try {
      const [canonical] = Intl.getCanonicalLocales(value.replace(/_/g, "-"));
      if (canonical) return canonical;
    } catch {
      // fall through
    }
    ctx.addIssue({ code: "custom", message: "Use a BCP 47 language tag (e.g. en-US, sv, pt-BR)" });
    return z.NEVER;
  });

export const httpUrlSchema = z
  .string()
  .trim()
  .max(2048)
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === "https:" || url.protocol === "http:") && !url.username && !url.password && !url.hash;
    } catch {
      return false;
    }
  }, "Use an http(s) URL without credentials or fragment")
  .transform((value) => value.replace(/\/+$/, ""));

export const displayNameSchema = z.string().trim().min(1, "A name is required").max(100, "At most 100 characters");
export const emailSchema = z.string().trim().toLowerCase().max(320).email("Use a valid email address");
export const nameSchema = z.string().trim().min(1, "Required").max(100, "At most 100 characters");
export const hostnameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/, "Use a domain name (e.g. mg.example.com)");
