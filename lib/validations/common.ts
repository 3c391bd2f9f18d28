import { z } from "zod";

export const uuidParam = z.string().uuid();

/** A path id that isn't a UUID can't name anything: answer 404, not a validation error. */
export function isUuid(value: string): boolean {
  return uuidParam.safeParse(value).success;
}

export const slugSchema = z
  .string()
  .trim()
  .min(2)
  .max(48)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "Use lower-case letters, digits and single dashes");

export const emailSchema = z.string().trim().toLowerCase().email().max(320);

export const limitQuery = z.coerce.number().int().min(1).max(200).default(50);

/** E.164: a plus, a country code that doesn't start with 0, at most 15 digits in all. */
export const E164_PATTERN = /^\+[1-9]\d{6,14}$/;
