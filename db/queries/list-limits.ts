/**
 * Lists that aren't paged (API keys, members, webhook endpoints: a handful per tenant) still stop
 * here, so no tenant can make one response unbounded.
 */
export const UNPAGED_LIST_LIMIT = 1000;
