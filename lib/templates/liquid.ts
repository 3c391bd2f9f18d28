// The sandboxed Liquid engines (liquidjs), the bounded cache of compiled sources, and strict rendering
// that reports every missing variable at once.
import { Liquid, type Template } from "liquidjs";
import { LRUCache } from "lru-cache";

/** Per render: wall time and allocated items (the DoS bounds of liquidjs). */
const RENDER_LIMIT_MS = Number(process.env.HERALD_TEMPLATE_RENDER_MS ?? 100);
const MEMORY_LIMIT = 5_000_000;
/** The longest output one field may render to (an email body; SMS and push are checked by their send schemas). */
export const MAX_OUTPUT_CHARS = 1_000_000;
/** Distinct missing names reported (and re-render rounds to find them). */
const MAX_MISSING = 50;

/**
 * No filesystem: an empty in-memory template map, and the tags that load other templates
 * (include, render, layout) removed, so `{% include "/etc/passwd" %}` is a parse error.
 * Only own properties are visible (no prototype walking); sizes and time are bounded.
 */
function sandboxedEngine(outputEscape: "escape" | undefined): Liquid {
  const engine = new Liquid({
    templates: {},
    strictVariables: true,
    lenientIf: true,
    ownPropertyOnly: true,
    strictFilters: true,
    parseLimit: 1_000_000,
    renderLimit: RENDER_LIMIT_MS,
    memoryLimit: MEMORY_LIMIT,
    outputEscape,
    cache: false,
  });
  for (const tag of ["include", "render", "layout", "block"]) delete engine.tags[tag];
  return engine;
}

/** Email HTML: every `{{ }}` is HTML-escaped unless the author writes `| raw`. */
const htmlEngine = sandboxedEngine("escape");
/** Subjects, text, SMS, push and WhatsApp: plain text, nothing escaped. */
const textEngine = sandboxedEngine(undefined);

export type SourceKind = "html" | "text";

export class TemplateSyntaxError extends Error {
  constructor(
    message: string,
    readonly field: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "TemplateSyntaxError";
  }
}

/** A render that hit a limit or a runtime error other than a missing variable. */
export class TemplateRenderError extends Error {
  constructor(
    message: string,
    readonly field: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "TemplateRenderError";
  }
}

// Keyed by the caller (e.g. `<version id>|<locale>|email.html`) so a published version compiles
// once per process; drafts are keyed by their source text. Bounded: at most 5,000 sources.
const compiled = new LRUCache<string, Template[]>({ max: 5_000 });

/** Parses a Liquid source (cached under `cacheKey`); throws TemplateSyntaxError naming the field. */
export function compileSource(src: string, kind: SourceKind, field: string, cacheKey?: string): Template[] {
  const key = `${kind}\0${cacheKey ?? src}`;
  const hit = compiled.get(key);
  if (hit) return hit;
  try {
    const tpl = (kind === "html" ? htmlEngine : textEngine).parse(src);
    compiled.set(key, tpl);
    return tpl;
  } catch (err) {
    throw new TemplateSyntaxError(liquidMessage(err), field, { cause: err });
  }
}

export type RenderScope = Record<string, unknown>;

export type RenderOutcome = { ok: true; output: string } | { ok: false; missing: string[] };

/**
 * Renders strictly: an undefined variable outside `if`/`unless`/`default` is missing. To name every
 * missing variable in one answer, each one found is stubbed with "" in a copy of the scope and the
 * render repeats (bounded by MAX_MISSING); only the error path pays for the rounds.
 */
export function renderStrict(tpl: Template[], kind: SourceKind, scope: RenderScope, field: string): RenderOutcome {
  const engine = kind === "html" ? htmlEngine : textEngine;
  const missing: string[] = [];
  let current = scope;
  for (let round = 0; round <= MAX_MISSING; round++) {
    try {
      const output = engine.renderSync(tpl, current) as string;
      if (missing.length > 0) return { ok: false, missing: withoutParents(missing) };
      if (output.length > MAX_OUTPUT_CHARS) throw new TemplateRenderError(`${field} renders to more than ${MAX_OUTPUT_CHARS} characters`, field);
      return { ok: true, output };
    } catch (err) {
      const name = undefinedVariable(err);
      if (name === undefined) {
        if (err instanceof TemplateRenderError) throw err;
        throw new TemplateRenderError(liquidMessage(err), field, { cause: err });
      }
      // A name we already stubbed is a loop variable or a non-object parent: report it and stop.
      if (missing.includes(name)) return { ok: false, missing: withoutParents(missing) };
      missing.push(name);
      current = withStub(current, name.split("."));
    }
  }
  return { ok: false, missing: withoutParents(missing) };
}

/** `contact` is implied by `contact.first_name`: list the most specific names only. */
function withoutParents(names: string[]): string[] {
  return names.filter((n) => !names.some((m) => m.startsWith(`${n}.`)));
}

function undefinedVariable(err: unknown): string | undefined {
  if ((err as { name?: string })?.name !== "UndefinedVariableError") return undefined;
  const original = (err as { originalError?: Error }).originalError?.message ?? (err as Error).message;
  const m = /undefined variable: ([^\s,]+)/.exec(original);
  return m?.[1];
}

/** A copy of `scope` with `path` set to "" (copying only the objects along the path). */
function withStub(scope: RenderScope, path: string[]): RenderScope {
  const root: RenderScope = { ...scope };
  let node: Record<string, unknown> = root;
  for (let i = 0; i < path.length - 1; i++) {
    const k = path[i]!;
    const child = node[k];
    // A scalar parent (often our own "" stub of the parent) becomes an object: this render only collects names.
    if (typeof child === "object" && child !== null && !Array.isArray(child)) own(node, k, { ...(child as Record<string, unknown>) });
    else own(node, k, {});
    node = node[k] as Record<string, unknown>;
  }
  own(node, path[path.length - 1]!, "");
  return root;
}

/** An own data property even for names like `__proto__`, which plain assignment would treat as the prototype. */
function own(obj: Record<string, unknown>, key: string, value: unknown) {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** liquidjs messages carry the source excerpt after a newline; the first line is the useful part. */
function liquidMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split("\n")[0]!.slice(0, 500);
}
