// Random id material the provider modules build credentials from, in each provider's own formats.
import { randomBytes } from "node:crypto";

export const hex = (bytes: number) => randomBytes(bytes).toString("hex");
export const alnum = (length: number) =>
  randomBytes(length * 2)
    .toString("base64url")
    .replace(/[-_]/g, "")
    .slice(0, length);
export const digits = (length: number) =>
  Array.from(randomBytes(length), (b) => String(b % 10)).join("");
