// The adapter registry: provider kind → adapter.
import type { ProviderKind } from "@/db/schema/provider-configs";
import type { ProviderAdapter } from "./adapter";
import { elksAdapter } from "./elks";
import { fcmAdapter } from "./fcm";
import { infobipAdapter } from "./infobip";
import { mailgunAdapter } from "./mailgun";
import { onesignalAdapter } from "./onesignal";
import { sendgridAdapter } from "./sendgrid";
import { twilioAdapter } from "./twilio";
import { whatsappAdapter } from "./whatsapp";

export const providerAdapters: { [P in ProviderKind]: ProviderAdapter<P> } = {
  sendgrid: sendgridAdapter,
  mailgun: mailgunAdapter,
  elks: elksAdapter,
  twilio: twilioAdapter,
  infobip: infobipAdapter,
  fcm: fcmAdapter,
  onesignal: onesignalAdapter,
  whatsapp: whatsappAdapter,
};

export function adapterFor<P extends ProviderKind>(provider: P): ProviderAdapter<P> {
  return providerAdapters[provider] as ProviderAdapter<P>;
}
