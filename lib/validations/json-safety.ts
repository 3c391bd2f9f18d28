// What makes a parsed JSON value unsafe to store or walk: NUL and lone surrogates in any string
// or key, nesting deeper than a limit, more keys than a limit. Iterative, so a hostile 10,000-level
// document can't overflow the stack while being checked.

export interface JsonLimits {
  maxDepth: number;
  /** Object keys plus array items over the whole document. */
  maxKeys: number;
}

/** Request bodies as a whole; free-form fields inside use tighter limits (boundedJsonObject). */
export const JSON_LIMITS: JsonLimits = { maxDepth: 32, maxKeys: 100_000 };

export interface JsonProblem {
  path: (string | number)[];
  message: string;
}

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a string can't be stored, or null. */
export function findUnsafeText(s: string): string | null {
  if (s.includes("\u0000")) return "Must not contain NUL (\\u0000) characters";
  if (LONE_SURROGATE.test(s)) return "Must not contain unpaired UTF-16 surrogates";
  return null;
}

export function inspectJson(value: unknown, limits: JsonLimits = JSON_LIMITS): JsonProblem | null {
  const stack: { v: unknown; path: (string | number)[] }[] = [{ v: value, path: [] }];
  let keys = 0;
  while (stack.length > 0) {
    const { v, path } = stack.pop()!;
    if (typeof v === "string") {
      const problem = findUnsafeText(v);
      if (problem) return { path, message: problem };
      continue;
    }
    if (v === null || typeof v !== "object") continue;
    if (path.length >= limits.maxDepth) return { path, message: `Nested deeper than ${limits.maxDepth} levels` };
    const entries: [string | number, unknown][] = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
    keys += entries.length;
    if (keys > limits.maxKeys) return { path, message: `More than ${limits.maxKeys} keys and items` };
    for (const [k, child] of entries) {
      if (typeof k === "string") {
        const problem = findUnsafeText(k);
        if (problem) return { path: [...path, k], message: `Key: ${problem}` };
      }
      stack.push({ v: child, path: [...path, k] });
    }
  }
  return null;
}
