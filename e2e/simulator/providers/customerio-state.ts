// What the simulated Customer.io workspaces hold after the Track calls: people, objects and
// relationships per account, so tests assert the final state rather than the requests.
export interface CioRelationship {
  personId: string;
  objectTypeId: string;
  objectId: string;
  attributes: Record<string, unknown>;
}

export class CustomerioWorkspace {
  readonly people = new Map<string, Record<string, unknown>>();
  /** Keyed `${object_type_id}:${object_id}`. */
  readonly objects = new Map<string, Record<string, unknown>>();
  /** Keyed `${personId}|${object_type_id}:${object_id}`. */
  readonly relationships = new Map<string, CioRelationship>();
  /** Requests per second, for the peak rate a run reached. */
  private readonly perSecond = new Map<number, number>();
  operations = 0;

  countRequest(): void {
    const s = Math.floor(Date.now() / 1000);
    this.perSecond.set(s, (this.perSecond.get(s) ?? 0) + 1);
    if (this.perSecond.size > 3600) this.perSecond.delete(this.perSecond.keys().next().value!);
  }

  get peakRequestsPerSecond(): number {
    return Math.max(0, ...this.perSecond.values());
  }

  identifyPerson(id: string, attributes: Record<string, unknown>): void {
    this.people.set(id, merge(this.people.get(id) ?? { id }, attributes));
  }

  deletePerson(id: string): void {
    this.people.delete(id);
    for (const [k, r] of this.relationships) if (r.personId === id) this.relationships.delete(k);
  }

  identifyObject(typeId: string, objectId: string, attributes: Record<string, unknown>): void {
    const key = `${typeId}:${objectId}`;
    this.objects.set(key, merge(this.objects.get(key) ?? { object_type_id: typeId, object_id: objectId }, attributes));
  }

  deleteObject(typeId: string, objectId: string): void {
    const key = `${typeId}:${objectId}`;
    this.objects.delete(key);
    for (const [k, r] of this.relationships) if (`${r.objectTypeId}:${r.objectId}` === key) this.relationships.delete(k);
  }

  relate(personId: string, typeId: string, objectId: string, attributes: Record<string, unknown>): void {
    const key = `${personId}|${typeId}:${objectId}`;
    const before = this.relationships.get(key);
    this.relationships.set(key, { personId, objectTypeId: typeId, objectId, attributes: merge(before?.attributes ?? {}, attributes) });
  }

  unrelate(personId: string, typeId: string, objectId: string): void {
    this.relationships.delete(`${personId}|${typeId}:${objectId}`);
  }

  snapshot() {
    return {
      people: Object.fromEntries(this.people),
      objects: Object.fromEntries(this.objects),
      relationships: [...this.relationships.values()],
    };
  }
}

/** Customer.io merges attributes; an empty string or null removes one. */
function merge(before: Record<string, unknown>, attributes: Record<string, unknown>): Record<string, unknown> {
  const out = { ...before };
  for (const [k, v] of Object.entries(attributes)) {
    if (v === null || v === "") delete out[k];
    else out[k] = v;
  }
  return out;
}

export class CustomerioStore {
  private readonly workspaces = new Map<string, CustomerioWorkspace>();

  workspace(accountId: string): CustomerioWorkspace {
    let w = this.workspaces.get(accountId);
    if (!w) {
      w = new CustomerioWorkspace();
      this.workspaces.set(accountId, w);
    }
    return w;
  }

  clear(): void {
    this.workspaces.clear();
  }
}
