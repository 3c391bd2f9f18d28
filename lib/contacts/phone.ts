import { getSupportedRegionCodes, parsePhoneNumber } from "awesome-phonenumber";

export type PhoneResult = { ok: true; e164: string } | { ok: false; message: string };

/**
 * A number as people write it → E.164. International forms (+46…, 0046…) need no country;
 * national ones (070-123 45 67) are read in the tenant's default country.
 */
export function normalizePhone(raw: string, defaultCountry: string | null): PhoneResult {
  let input = raw.trim();
  if (input.startsWith("00")) input = `+${input.slice(2)}`;
  const international = input.startsWith("+");
  if (!international && !defaultCountry) {
    return { ok: false, message: "Give the number with its country code (e.g. +46701234567), or set the tenant's default country" };
  }
  const parsed = international ? parsePhoneNumber(input) : parsePhoneNumber(input, { regionCode: defaultCountry! });
  if (!parsed.valid || !parsed.number?.e164) {
    const where = international ? "" : ` in ${defaultCountry}`;
    return { ok: false, message: `"${raw.trim()}" is not a valid phone number${where}` };
  }
  return { ok: true, e164: parsed.number.e164 };
}

/** ISO 3166-1 alpha-2 regions awesome-phonenumber knows (for the tenant setting). */
export function isPhoneRegion(code: string): boolean {
  return getSupportedRegionCodes().includes(code);
}
