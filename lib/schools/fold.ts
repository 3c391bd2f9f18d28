// Text folding shared by both search engines and the highlighter. Mirrors the SQL function
// herald_fold() (migration school-search): Turkish letters first, then diacritics, then case.

const TURKISH: Record<string, string> = {
  İ: "i",
  I: "i",
  ı: "i",
  Ş: "s",
  ş: "s",
  Ğ: "g",
  ğ: "g",
  Ö: "o",
  ö: "o",
  Ü: "u",
  ü: "u",
  Ç: "c",
  ç: "c",
};

const LIGATURES: Record<string, string> = { ß: "ss", æ: "ae", Æ: "ae", ø: "o", Ø: "o", œ: "oe", Œ: "oe", đ: "d", Đ: "d", ł: "l", Ł: "l" };

/** Folds one character; the result may be empty (a lone combining mark) or longer (ß → ss). */
export function foldChar(ch: string): string {
  const mapped = TURKISH[ch] ?? LIGATURES[ch];
  if (mapped !== undefined) return mapped;
  return ch.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}

export function foldText(value: string): string {
  let out = "";
  for (const ch of value) out += foldChar(ch);
  return out;
}

/**
 * Prefix matching starts at this token length: a single character (the first keystroke of
 * instant search) would match most of the directory, so it is not a search word — a query of
 * such characters only browses. Applies to both engines (they receive the same tokens).
 */
export const MIN_TOKEN_LENGTH = 2;

/** Folded search tokens: letters and digits only, so they are safe inside a tsquery. */
export function searchTokens(query: string, max = 8): string[] {
  const tokens = foldText(query)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => [...t].length >= MIN_TOKEN_LENGTH);
  return [...new Set(tokens)].slice(0, max);
}

/** Typo tolerance starts at this token length (Typesense's default min_len_1typo is 4 too). */
export const MIN_FUZZY_TOKEN_LENGTH = 4;

export function slugify(value: string, maxLength = 80): string {
  return foldText(value)
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, maxLength)
    .replace(/-+$/g, "");
}

function trigrams(word: string): Set<string> {
  const padded = `  ${word} `;
  const out = new Set<string>();
  for (let i = 0; i + 3 <= padded.length; i++) out.add(padded.slice(i, i + 3));
  return out;
}

/** pg_trgm's similarity() for single words, used to highlight typo matches. */
export function trigramSimilarity(a: string, b: string): number {
  const ta = trigrams(a);
  const tb = trigrams(b);
  let shared = 0;
  for (const t of ta) if (tb.has(t)) shared++;
  return shared / (ta.size + tb.size - shared || 1);
}
