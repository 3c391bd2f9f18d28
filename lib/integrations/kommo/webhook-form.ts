// Kommo's webhook bodies: form-encoded with bracketed keys (`contacts[update][0][custom_fields][0]
// [values][0][value]`). Parsed into null-prototype objects, refusing `__proto__`, `constructor` and
// `prototype` segments, with bounds on size, depth and indexes: outside input never shapes an
// object's prototype or Herald's memory.

export class KommoFormError extends Error {}

const FORBIDDEN = new Set(["__proto__", "constructor", "prototype"]);
const MAX_PAIRS = 20_000;
const MAX_DEPTH = 10;
const MAX_INDEX = 10_000;

export type FormTree = { [key: string]: FormTree | string };

function segmentsOf(key: string): string[] {
  const open = key.indexOf("[");
  if (open < 0) return [key];
  const head = key.slice(0, open);
  const rest = key.slice(open);
  const segs = [head];
  const re = /\[([^\][]*)\]/gy;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(rest))) {
    segs.push(m[1]!);
    consumed = re.lastIndex;
  }
  if (consumed !== rest.length) throw new KommoFormError(`Malformed field name ${JSON.stringify(key.slice(0, 80))}`);
  return segs;
}

/** Parses a bracketed form body into a tree of null-prototype objects (leaves are strings). */
export function parseKommoForm(body: string): FormTree {
  const root: FormTree = Object.create(null);
  let pairs = 0;
  for (const [key, value] of new URLSearchParams(body)) {
    if (++pairs > MAX_PAIRS) throw new KommoFormError(`More than ${MAX_PAIRS} fields`);
    const segs = segmentsOf(key);
    if (segs.length > MAX_DEPTH) throw new KommoFormError(`Field ${JSON.stringify(key.slice(0, 80))} is nested too deep`);
    let node = root;
    segs.forEach((seg, i) => {
      if (FORBIDDEN.has(seg)) throw new KommoFormError(`Forbidden field name segment ${JSON.stringify(seg)}`);
      if (seg === "" || (/^\d+$/.test(seg) && Number(seg) > MAX_INDEX)) throw new KommoFormError(`Field ${JSON.stringify(key.slice(0, 80))} has an unsupported index`);
      const last = i === segs.length - 1;
      if (last) {
        if (typeof node[seg] === "object") throw new KommoFormError(`Field ${JSON.stringify(key.slice(0, 80))} is both a value and a group`);
        node[seg] = value;
        return;
      }
      const next = node[seg];
      if (typeof next === "string") throw new KommoFormError(`Field ${JSON.stringify(key.slice(0, 80))} is both a value and a group`);
      node = next ?? (node[seg] = Object.create(null) as FormTree);
    });
  }
  return root;
}

export interface KommoContactChange {
  action: "add" | "update" | "delete";
  id: number;
  name: string | null;
  emails: string[];
  phones: string[];
  /** Kommo's last_modified (unix seconds), when sent. */
  modifiedAt: number | null;
}

const ACTIONS = ["add", "update", "delete"] as const;

const group = (v: FormTree | string | undefined): FormTree | undefined => (v && typeof v === "object" ? v : undefined);
const indexed = (t: FormTree | undefined): FormTree[] =>
  t
    ? Object.keys(t)
        .filter((k) => /^\d+$/.test(k))
        .sort((a, b) => Number(a) - Number(b))
        .map((k) => group(t[k]))
        .filter((x): x is FormTree => x !== undefined)
    : [];

/** Values of the legacy custom fields with this code (EMAIL, PHONE). */
function fieldValues(entity: FormTree, code: "EMAIL" | "PHONE"): string[] {
  const out: string[] = [];
  for (const field of indexed(group(entity.custom_fields))) {
    if (field.code !== code) continue;
    for (const v of indexed(group(field.values))) if (typeof v.value === "string" && v.value.trim()) out.push(v.value.trim());
  }
  return out;
}

/** The contact changes of a delivery, adds then updates then deletes, each in index order. */
export function contactChangesOf(tree: FormTree): KommoContactChange[] {
  const contacts = group(tree.contacts);
  const out: KommoContactChange[] = [];
  for (const action of ACTIONS) {
    for (const entity of indexed(group(contacts?.[action]))) {
      const id = Number(entity.id);
      if (!Number.isSafeInteger(id) || id <= 0) throw new KommoFormError(`contacts[${action}] has an entity without a valid id`);
      const modified = Number(entity.last_modified ?? entity.updated_at);
      out.push({
        action,
        id,
        name: typeof entity.name === "string" ? entity.name : null,
        emails: action === "delete" ? [] : fieldValues(entity, "EMAIL"),
        phones: action === "delete" ? [] : fieldValues(entity, "PHONE"),
        modifiedAt: Number.isFinite(modified) && modified > 0 ? modified : null,
      });
    }
  }
  return out;
}
