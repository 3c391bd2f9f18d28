/**
 * A Map that keeps at most `maxEntries`, forgetting the least recently used entry first — for any
 * in-memory map keyed by something from outside (client addresses, key ids), so a stream of new
 * keys costs bounded memory instead of growing until the process dies.
 */
export class BoundedMap<K, V> {
  private readonly map = new Map<K, V>();

  constructor(readonly maxEntries: number) {
    if (!(maxEntries >= 1)) throw new Error("BoundedMap needs room for at least one entry");
  }

  get size(): number {
    return this.map.size;
  }

  /** Reads and marks as recently used. */
  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  set(key: K, value: V): this {
    this.map.delete(key);
    this.map.set(key, value);
    // Map iterates in insertion order: the first key is the least recently used.
    while (this.map.size > this.maxEntries) this.map.delete(this.map.keys().next().value as K);
    return this;
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }
}
