import { clientIp } from "@/lib/auth/next-auth";
import { getDb } from "@/db";
import { findTenantBySlug } from "@/db/queries/tenants";
import { ApiError } from "@/lib/api/errors";
import { authenticateOptional } from "@/lib/api/optional-auth";
import { readQuery } from "@/lib/api/read-json";
import { withRoute } from "@/lib/api/with-api-auth";
import { positiveNumberEnv } from "@/lib/env";
import { SharedRequestLimiter } from "@/lib/rate-limit/request-limiter";
import { searchSchoolDirectory } from "@/lib/schools/search";
import { searchSchoolsQuery } from "@/lib/validations/schools";

// Anonymous callers are limited per client address, across every web process.
const anonymousLimiter = new SharedRequestLimiter("search", {
  ratePerSecond: positiveNumberEnv("HERALD_SEARCH_RATE_LIMIT_PER_SECOND", 20),
  burst: positiveNumberEnv("HERALD_SEARCH_RATE_LIMIT_BURST", 60),
});

/**
 * The public school directory: anyone may search a tenant's public schools; a member or an API
 * key (schools:read) of that tenant also sees private schools and contact fields.
 */
export const GET = withRoute(async ({ req, requestId }) => {
  const query = readQuery(req, searchSchoolsQuery);
  const tenant = await findTenantBySlug(getDb(), { slug: query.tenant });
  if (!tenant) throw ApiError.notFound("Tenant");
  const viewer = await authenticateOptional(req, requestId, { tenantSlug: tenant.slug, scope: "schools:read" });
  if (!viewer) {
    const wait = await anonymousLimiter.take(clientIp(req.headers));
    if (wait > 0) throw ApiError.rateLimited(wait, "Too many searches; slow down");
  }
  const result = await searchSchoolDirectory(tenant, viewer ? "member" : "public", query);
  return Response.json(result, {
    headers: { "cache-control": viewer ? "private, no-store" : "public, max-age=0, must-revalidate", vary: "authorization, cookie" },
  });
});
