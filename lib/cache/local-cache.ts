import { processBus, type InvalidationBus, type InvalidationSubscriber } from "./invalidation";

interface Entry<V> {
  value: V;
  at: number;
  tags: readonly string[];
}

export interface LocalCacheOptions {
  /** Entries kept at most (oldest forgotten first). */
  max: number;
  /** How long an entry is served while the invalidation bus listens (a safety net: changes arrive as notifications). */
  ttlMs: number;
  /** How long while it does not (starting, reconnecting): the promise "within a second" holds without it. */
  unheardTtlMs: number;
  bus?: InvalidationBus;
  now?: () => number;
}

/**
 * A per-process cache of rows that are read often and changed rarely (provider configs and
 * their credentials, breaker state, tenant limits, OTP policies). Each entry carries the tags of
 * the rows it was built from (`provider_configs:<id>`, `secrets:<id>` …); a change to one of those
 * rows, heard through the invalidation bus from any process, drops it.
 */
export class LocalCache<V> implements InvalidationSubscriber {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly byTag = new Map<string, Set<string>>();
  private readonly bus: InvalidationBus;
  private readonly now: () => number;

  constructor(private readonly opts: LocalCacheOptions) {
    this.bus = opts.bus ?? processBus();
    this.now = opts.now ?? Date.now;
    this.bus.subscribe(this);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The cached value if it is still fresh. */
  get(key: string): V | undefined {
    this.bus.ensureStarted();
    const e = this.entries.get(key);
    if (!e) return undefined;
    const ttl = this.bus.state.listening ? this.opts.ttlMs : this.opts.unheardTtlMs;
    if (this.now() - e.at < ttl) return e.value;
    this.delete(key);
    return undefined;
  }

  /** The cached value, else `load()` (see `refresh`). */
  async getOrLoad(key: string, load: () => Promise<V>, tagsOf: (value: V) => readonly string[]): Promise<V> {
    const hit = this.get(key);
    return hit !== undefined ? hit : this.refresh(key, load, tagsOf);
  }

  /**
   * Loads the value and caches it under the tags `tagsOf` names — unless an invalidation arrived
   * while it loaded (the load may have read the row before that change).
   */
  async refresh(key: string, load: () => Promise<V>, tagsOf: (value: V) => readonly string[]): Promise<V> {
    this.bus.ensureStarted();
    const sequence = this.bus.state.sequence;
    const value = await load();
    if (this.bus.state.sequence === sequence) this.set(key, value, tagsOf(value));
    return value;
  }

  set(key: string, value: V, tags: readonly string[]): void {
    this.delete(key);
    this.entries.set(key, { value, at: this.now(), tags });
    for (const t of tags) {
      let keys = this.byTag.get(t);
      if (!keys) this.byTag.set(t, (keys = new Set()));
      keys.add(key);
    }
    // Map iterates in insertion order: the first entry is the oldest.
    while (this.entries.size > this.opts.max) this.delete(this.entries.keys().next().value as string);
  }

  delete(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    for (const t of e.tags) {
      const keys = this.byTag.get(t);
      keys?.delete(key);
      if (keys?.size === 0) this.byTag.delete(t);
    }
  }

  invalidate(tag: string): void {
    const keys = this.byTag.get(tag);
    if (keys) for (const k of [...keys]) this.delete(k);
  }

  clear(): void {
    this.entries.clear();
    this.byTag.clear();
  }
}
