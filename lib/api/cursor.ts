// Pagination cursors: opaque base64url of the last row's id (and its time for time-ordered lists).
// Anything that doesn't decode to exactly that is a 400 `invalid_cursor`, never a query.
import { isDateInRange, isUuid } from "@/lib/validations/common";
import { ApiError } from "./errors";

function invalidCursor(): ApiError {
  return new ApiError({
    code: "invalid_cursor",
    message: "The cursor is invalid: use next_cursor from a previous page",
    details: [{ path: "cursor", message: "Unknown cursor" }],
  });
}

export function encodeIdCursor(id: string): string {
  return Buffer.from(id).toString("base64url");
}

export function decodeIdCursor(cursor: string): string {
  const id = Buffer.from(cursor, "base64url").toString("utf8");
  if (!isUuid(id)) throw invalidCursor();
  return id;
}

export function encodeTimeIdCursor(at: Date | string, id: string): string {
  return Buffer.from(`${typeof at === "string" ? at : at.toISOString()}|${id}`).toString("base64url");
}

export function decodeTimeIdCursor(cursor: string): { at: Date; id: string } {
  const parts = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const at = parts.length === 2 ? new Date(parts[0]!) : new Date(NaN);
  if (!isDateInRange(at) || !isUuid(parts[1] ?? "")) throw invalidCursor();
  return { at, id: parts[1]! };
}
