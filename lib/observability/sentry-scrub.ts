// beforeSend / beforeBreadcrumb: what leaves for Sentry carries ids, never personal data or secrets.
import type { Breadcrumb, ErrorEvent, Event } from "@sentry/nextjs";
import { FILTERED, scrubText, scrubValue } from "./scrub";

/** Request headers worth keeping; everything else (cookies, authorization, tokens, forwarded addresses) goes. */
const SAFE_HEADERS = new Set(["user-agent", "content-type", "content-length", "accept", "x-request-id", "host"]);
/** Contexts the SDK fills with machine facts (no user data): kept as they are. */
const SDK_CONTEXTS = new Set(["os", "runtime", "app", "device", "culture", "cloud_resource", "trace", "otel", "nextjs", "response"]);
/** Tags Herald sets that hold ids only (UUIDs would read as phone numbers to the text scrubber). */
const ID_TAGS = new Set(["tenant_id", "tenant_slug", "api_key_id", "api_key_prefix", "request_id", "role", "actor_type", "workflow", "run_id", "config_id", "engine"]);

function scrubUrl(raw: string | undefined): string | undefined {
  if (!raw) return raw;
  // Query strings carry tokens (webhook callbacks) and search terms (names, emails): dropped whole.
  const q = raw.indexOf("?");
  return scrubText(q === -1 ? raw : `${raw.slice(0, q)}?${FILTERED}`);
}

export function scrubEvent<E extends Event | ErrorEvent>(event: E): E {
  // Only an id identifies the user: no email, name or address, and no IP (the SDK may fill {{auto}}).
  event.user = event.user?.id ? { id: String(event.user.id), ip_address: null as unknown as undefined } : { ip_address: null as unknown as undefined };
  if (event.request) {
    const r = event.request;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.headers ?? {})) if (SAFE_HEADERS.has(k.toLowerCase())) headers[k] = scrubText(String(v));
    event.request = { method: r.method, url: scrubUrl(r.url), headers, ...(r.query_string ? { query_string: FILTERED } : {}) };
  }
  if (event.message) event.message = scrubText(event.message);
  if (event.logentry?.message) event.logentry = { message: scrubText(event.logentry.message), params: [] };
  for (const ex of event.exception?.values ?? []) {
    if (ex.value) ex.value = scrubText(ex.value);
    for (const frame of ex.stacktrace?.frames ?? []) {
      // Local variables can hold anything the code had in hand (bodies, recipients, codes).
      delete frame.vars;
      if (frame.context_line) frame.context_line = scrubText(frame.context_line);
      if (frame.pre_context) frame.pre_context = frame.pre_context.map(scrubText);
      if (frame.post_context) frame.post_context = frame.post_context.map(scrubText);
    }
  }
  if (event.extra) event.extra = scrubValue(event.extra) as Record<string, unknown>;
  if (event.tags) {
    for (const [k, v] of Object.entries(event.tags)) if (!ID_TAGS.has(k) && typeof v === "string") event.tags[k] = scrubText(v);
  }
  if (event.contexts) {
    for (const [k, v] of Object.entries(event.contexts)) if (!SDK_CONTEXTS.has(k)) event.contexts[k] = scrubValue(v) as Record<string, unknown>;
  }
  if (event.breadcrumbs) event.breadcrumbs = event.breadcrumbs.map(scrubBreadcrumb).filter((b): b is Breadcrumb => b !== null);
  return event;
}

export function scrubBreadcrumb(b: Breadcrumb): Breadcrumb | null {
  // Console breadcrumbs repeat whatever was printed: not sent.
  if (b.category === "console") return null;
  const out: Breadcrumb = { ...b };
  if (out.message) out.message = scrubText(out.message);
  if (out.data) {
    const data = { ...out.data };
    if (typeof data.url === "string") data.url = scrubUrl(data.url);
    for (const k of ["http.query", "http.fragment"]) if (k in data) data[k] = FILTERED;
    out.data = scrubValue(data) as Record<string, unknown>;
  }
  return out;
}

/**
 * What the SDK itself may collect (`dataCollection`, which replaced `sendDefaultPii`): no user
 * info, cookies, bodies, query strings, database query data or local variables; request headers
 * from an allow-list only. The scrubbers above then check whatever is left.
 */
export const dataCollection = {
  userInfo: false,
  cookies: false,
  httpHeaders: { request: { allow: [...SAFE_HEADERS] }, response: false },
  httpBodies: [],
  urlQueryParams: false,
  graphQL: { document: false, variables: false },
  genAI: { inputs: false, outputs: false },
  mcp: { inputs: false, outputs: false },
  databaseQueryData: false,
  queues: false,
  stackFrameVariables: false,
  // Source lines around each frame are not sent: code can hold literals, and Sentry shows the
  // source from the release's files when they are uploaded.
  frameContextLines: 0,
};

/** The options every runtime's `Sentry.init` shares: what may be collected, and the scrubbers. */
export function scrubbedSentryOptions() {
  return {
    dataCollection,
    tracesSampleRate: Number(process.env.SENTRY_TRACES_SAMPLE_RATE ?? 0),
    beforeSend: <E extends Event | ErrorEvent>(event: E) => scrubEvent(event),
    beforeBreadcrumb: (b: Breadcrumb) => scrubBreadcrumb(b),
  };
}
