import { sql } from "drizzle-orm";

// Lists as ONE array parameter (`= any(...)`) instead of drizzle's `in ($1, …, $n)`: building a
// parameter per element costs the query builder milliseconds for a thousand ids, and each list
// length is a new statement to plan.

/** A uuid[] parameter; the ids must be UUIDs already (checked by the caller's schema). */
export const uuidArray = (ids: string[]) => sql`${`{${ids.join(",")}}`}::uuid[]`;

/** A text[] parameter; every element quoted, so commas, braces and quotes stay inside it. */
export const textArray = (values: string[]) => sql`${`{${values.map((v) => `"${v.replace(/["\\]/g, "\\$&")}"`).join(",")}}`}::text[]`;
