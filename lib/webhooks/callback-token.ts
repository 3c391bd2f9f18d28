// Providers that sign nothing (46elks, Infobip): the unguessable per-config token in the callback URL is the credential.
import { verifyCallbackToken } from "@/lib/providers/callback-urls";
import { WebhookRejected } from "./types";
import type { IncomingWebhook } from "./webhook-provider";

export async function verifyCallbackTokenOf(req: IncomingWebhook): Promise<void> {
  if (!(await verifyCallbackToken(req.config, req.token))) throw new WebhookRejected(401, "Missing or wrong callback token");
}
