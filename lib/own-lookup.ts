/**
 * `table[key]` for a key that came from outside: only the table's own entries count, so
 * `__proto__`, `constructor` or `toString` find nothing instead of Object's members.
 */
export function ownLookup<V>(table: Readonly<Record<string, V>>, key: string): V | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
