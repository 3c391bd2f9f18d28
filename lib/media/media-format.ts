// Client-safe helpers for showing media (no sniffing library here).

export function isImage(contentType: string | null): boolean {
  return contentType !== null && ["image/jpeg", "image/png", "image/gif", "image/webp"].includes(contentType);
}

/** "5 MB", "100 KB": limits as the providers word them (decimal units). */
export function formatBytes(n: number): string {
  if (n >= 1_000_000) return `${Number((n / 1_000_000).toFixed(1))} MB`;
  if (n >= 1_000) return `${Number((n / 1_000).toFixed(1))} KB`;
  return `${n} bytes`;
}
