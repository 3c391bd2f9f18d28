// SMS segment counting (GSM 03.38 7-bit vs UCS-2), as carriers bill it.

// GSM 03.38 basic character set (one septet each).
const GSM_BASIC =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
// Extension table: sent as ESC + code, so each costs two septets.
const GSM_EXTENDED = "\f^{}\\[~]|€";

const basic = new Set(Array.from(GSM_BASIC));
const extended = new Set(Array.from(GSM_EXTENDED));

export type SmsEncoding = "GSM-7" | "UCS-2";

export interface SmsSegments {
  encoding: SmsEncoding;
  segments: number;
  /** Characters as the user sees them (code points). */
  characters: number;
  /** Units the encoding spends: septets for GSM-7, UTF-16 code units for UCS-2. */
  units: number;
  /** Units per segment at this length (160/153 or 70/67). */
  unitsPerSegment: number;
}

/**
 * Segments one SMS body needs. A single character outside GSM-7 switches the whole message to
 * UCS-2, where characters beyond the BMP (most emoji) take two UTF-16 units. Concatenated
 * messages lose room to the UDH: 153 septets or 67 UCS-2 units per part.
 */
export function smsSegments(body: string): SmsSegments {
  const chars = Array.from(body);
  let septets = 0;
  let gsm = true;
  for (const ch of chars) {
    if (basic.has(ch)) septets += 1;
    else if (extended.has(ch)) septets += 2;
    else {
      gsm = false;
      break;
    }
  }
  if (gsm) {
    const single = septets <= 160;
    return {
      encoding: "GSM-7",
      segments: septets === 0 ? 0 : single ? 1 : gsmSegmentsFor(chars),
      characters: chars.length,
      units: septets,
      unitsPerSegment: single ? 160 : 153,
    };
  }
  const units = body.length; // UTF-16 code units: surrogate pairs count two
  const single = units <= 70;
  return {
    encoding: "UCS-2",
    segments: single ? 1 : ucs2SegmentsFor(chars),
    characters: chars.length,
    units,
    unitsPerSegment: single ? 70 : 67,
  };
}

// An escape pair or a surrogate pair is never split across two parts, so a part may carry one
// unit less than its capacity; count by filling parts rather than dividing.
function gsmSegmentsFor(chars: string[]): number {
  let parts = 1;
  let used = 0;
  for (const ch of chars) {
    const cost = extended.has(ch) ? 2 : 1;
    if (used + cost > 153) {
      parts += 1;
      used = 0;
    }
    used += cost;
  }
  return parts;
}

function ucs2SegmentsFor(chars: string[]): number {
  let parts = 1;
  let used = 0;
  for (const ch of chars) {
    const cost = ch.length;
    if (used + cost > 67) {
      parts += 1;
      used = 0;
    }
    used += cost;
  }
  return parts;
}
