import { foldChar, MIN_FUZZY_TOKEN_LENGTH, trigramSimilarity } from "../fold";

export interface HighlightSegment {
  text: string;
  match: boolean;
}

/** Similarity above which a whole word counts as a typo match of a token (cf. the SQL threshold). */
const WORD_TYPO_SIMILARITY = 0.4;

/**
 * Marks the words of `original` that the folded query tokens match — by prefix, or by trigram
 * similarity for typos — in the ORIGINAL text: each character is folded on its own, so an
 * offset in the folded word maps back to whole original characters (İ, ß and combining marks
 * included). Returns null when nothing matched.
 */
export function highlightText(original: string, tokens: string[]): HighlightSegment[] | null {
  if (!original || tokens.length === 0) return null;
  const chars = [...original];
  const marked = new Array<boolean>(chars.length).fill(false);
  let any = false;
  let i = 0;
  while (i < chars.length) {
    if (!/[\p{L}\p{N}]/u.test(chars[i]!)) {
      i++;
      continue;
    }
    let end = i;
    while (end < chars.length && /[\p{L}\p{N}\p{M}]/u.test(chars[end]!)) end++;
    // folded[k] = folded form of chars[i + k]
    const folded = chars.slice(i, end).map(foldChar);
    const word = folded.join("");
    let best = 0;
    for (const token of tokens) {
      if (word.startsWith(token)) {
        let covered = 0;
        let n = 0;
        while (n < folded.length && covered < token.length) covered += folded[n++]!.length;
        best = Math.max(best, n);
      } else if (token.length >= MIN_FUZZY_TOKEN_LENGTH && trigramSimilarity(token, word) >= WORD_TYPO_SIMILARITY) {
        best = folded.length;
      }
    }
    for (let k = 0; k < best; k++) marked[i + k] = true;
    if (best > 0) any = true;
    i = end;
  }
  if (!any) return null;
  const segments: HighlightSegment[] = [];
  chars.forEach((ch, k) => {
    const last = segments[segments.length - 1];
    if (last && last.match === marked[k]) last.text += ch;
    else segments.push({ text: ch, match: marked[k]! });
  });
  return segments;
}
