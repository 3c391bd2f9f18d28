import type { HighlightSegment } from "@/lib/schools/search/highlight";

/** Renders highlight segments as text with <mark>: no HTML from the server is ever injected. */
export function HighlightedText({ segments, fallback }: { segments?: HighlightSegment[]; fallback: string }) {
  if (!segments) return <>{fallback}</>;
  return (
    <>
      {segments.map((s, i) =>
        s.match ? (
          <mark key={i} className="rounded-sm bg-yellow-200/70 px-0.5 text-inherit dark:bg-yellow-500/30">
            {s.text}
          </mark>
        ) : (
          <span key={i}>{s.text}</span>
        ),
      )}
    </>
  );
}
