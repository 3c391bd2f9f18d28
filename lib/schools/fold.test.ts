import { describe, expect, it } from "vitest";
import { foldText, searchTokens, slugify, trigramSimilarity } from "./fold";
import { highlightText } from "./search/highlight";

describe("folding (mirrors SQL herald_fold)", () => {
  it("folds Turkish letters whatever their case, and other diacritics", () => {
    expect(foldText("İSTANBUL Kadıköy ŞİŞLİ Çağlayan IĞDIR")).toBe("istanbul kadikoy sisli caglayan igdir");
    expect(foldText("Göteborg Malmö Ñandú Straße")).toBe("goteborg malmo nandu strasse");
    // "İ" decomposed (I + combining dot above) folds like the precomposed letter.
    expect(foldText("I\u0307stanbul")).toBe("istanbul");
  });

  it("splits queries into safe tokens and makes slugs", () => {
    expect(searchTokens("  Kadıköy: 'Anadolu' & lise|| ")).toEqual(["kadikoy", "anadolu", "lise"]);
    expect(searchTokens("!!! ''")).toEqual([]);
    // One character is the first keystroke, not a search word: "a" browses, "a lise" is "lise".
    expect(searchTokens("a")).toEqual([]);
    expect(searchTokens("A lise İ 5 ab")).toEqual(["lise", "ab"]);
    expect(slugify("Kadıköy Anadolu Lisesi İstanbul")).toBe("kadikoy-anadolu-lisesi-istanbul");
  });

  it("computes trigram similarity like pg_trgm", () => {
    expect(trigramSimilarity("ankra", "ankara")).toBeCloseTo(4 / 9, 5);
  });
});

describe("highlightText", () => {
  it("marks prefixes in the original characters, expanding folded letters correctly", () => {
    expect(highlightText("İstanbul Straße", ["ist", "strass"])).toEqual([
      { text: "İst", match: true },
      { text: "anbul ", match: false },
      { text: "Straß", match: true },
      { text: "e", match: false },
    ]);
    expect(highlightText("Ankara Fen", ["zzz"])).toBeNull();
  });
});
