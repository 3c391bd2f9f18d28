// The small self-contained HTML pages of the unsubscribe landing URL (no app shell, no scripts).
const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

type Page =
  | { kind: "invalid" }
  | { kind: "confirm"; address: string; topic: string; action: string }
  | { kind: "done"; address: string; topic: string; tenantName: string };

function layout(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escape(title)}</title><style>
body{font-family:system-ui,sans-serif;margin:0;background:#f6f7f9;color:#111}
main{max-width:28rem;margin:10vh auto;padding:2rem;background:#fff;border-radius:12px;box-shadow:0 1px 3px #0002}
h1{font-size:1.25rem;margin:0 0 1rem}p{line-height:1.5;overflow-wrap:anywhere}
button{font:inherit;padding:.6rem 1.2rem;border:0;border-radius:8px;background:#111;color:#fff;cursor:pointer}
button:focus-visible{outline:3px solid #2563eb;outline-offset:2px}
</style></head><body><main>${body}</main></body></html>`;
}

export function unsubscribePage(p: Page): string {
  switch (p.kind) {
    case "invalid":
      return layout("Link not valid", `<h1>This unsubscribe link is not valid</h1><p>It may be incomplete. Copy the whole link from the email, or reply to the sender.</p>`);
    case "confirm":
      return layout(
        "Unsubscribe",
        `<h1>Unsubscribe from ${escape(p.topic)} emails?</h1><p><strong>${escape(p.address)}</strong> will no longer receive ${escape(p.topic)} emails from this sender. Messages you need, like receipts, still arrive.</p>
<form method="post" action="${escape(p.action)}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>`,
      );
    case "done":
      return layout(
        "Unsubscribed",
        `<h1>You are unsubscribed</h1><p><strong>${escape(p.address)}</strong> will no longer receive ${escape(p.topic)} emails${p.tenantName ? ` from ${escape(p.tenantName)}` : ""}.</p>`,
      );
  }
}
