import type { ProviderKind } from "@/db/schema/provider-configs";
import { elksWebhook, infobipWebhook } from "./callback-token";
import { mailgunWebhook } from "./mailgun";
import { sendgridWebhook } from "./sendgrid";
import { twilioWebhook } from "./twilio";
import type { WebhookProvider } from "./types";
import { whatsappWebhook } from "./whatsapp";

/** Providers that post webhooks to Herald (FCM and OneSignal send none). */
export const webhookProviders: Partial<Record<ProviderKind, WebhookProvider>> = {
  sendgrid: sendgridWebhook,
  mailgun: mailgunWebhook,
  twilio: twilioWebhook,
  whatsapp: whatsappWebhook,
  elks: elksWebhook,
  infobip: infobipWebhook,
};
