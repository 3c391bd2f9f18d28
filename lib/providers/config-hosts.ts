import { ApiError } from "@/lib/api/errors";
import { assertProviderUrl } from "@/lib/net/provider-hosts";
import { UrlRefused } from "@/lib/net/url-guard";
import type { ProviderKind } from "@/db/schema/provider-configs";
import { providerDefinitions } from "@/lib/validations/provider-configs";

/**
 * The hosts a config body names (the API base URL and URL settings such as an account base URL)
 * must be public or allow-listed: resolved and checked before anything is written, outside any
 * transaction. Every connection is checked again (lib/net/provider-hosts).
 */
export async function assertPublicHosts(provider: ProviderKind | undefined, body: Record<string, unknown>): Promise<void> {
  const fields = provider ? Object.entries(providerDefinitions[provider].fields).filter(([, f]) => f.kind === "url").map(([k]) => k) : [];
  const details: { path: string; message: string; code: string }[] = [];
  for (const field of ["api_base_url", ...fields]) {
    const value = body[field];
    if (typeof value !== "string" || !URL.canParse(value)) continue;
    try {
      await assertProviderUrl(value);
    } catch (err) {
      if (!(err instanceof UrlRefused)) throw err;
      details.push({ path: field, message: err.message, code: "url_refused" });
    }
  }
  if (details.length > 0) throw new ApiError({ code: "validation_failed", message: "The request is invalid", details });
}
