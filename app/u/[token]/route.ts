// RFC 8058 one-click unsubscribe. POST (the mail client's `List-Unsubscribe=One-Click`, or the button
// below) unsubscribes at once; GET only shows a confirmation page, because link scanners prefetch GETs.
import { withRoute } from "@/lib/api/with-api-auth";
import { unsubscribePage } from "@/lib/unsubscribe/page";
import { verifyUnsubscribeToken } from "@/lib/unsubscribe/token";
import { applyUnsubscribe } from "@/lib/unsubscribe/unsubscribe";

type P = { token: string };

const html = (body: string, status = 200) =>
  new Response(body, {
    status,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "referrer-policy": "no-referrer",
      "x-robots-tag": "noindex",
      "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
    },
  });

export const GET = withRoute<P>(async ({ params }) => {
  const claims = verifyUnsubscribeToken(params.token);
  if (!claims) return html(unsubscribePage({ kind: "invalid" }), 404);
  return html(unsubscribePage({ kind: "confirm", address: claims.address, topic: claims.topic, action: `/u/${params.token}` }));
});

export const POST = withRoute<P>(async ({ params }) => {
  const claims = verifyUnsubscribeToken(params.token);
  if (!claims) return html(unsubscribePage({ kind: "invalid" }), 404);
  const outcome = await applyUnsubscribe(claims);
  return html(unsubscribePage({ kind: "done", address: outcome.address, topic: outcome.topic, tenantName: outcome.tenantName }));
});
