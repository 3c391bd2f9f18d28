// The server registry: every provider's module, keyed by kind. Generic code (delivery, routing,
// webhooks, credential checks, limits) reads this and never names a provider. The mapped type makes
// it exhaustive: a kind without a module, or a module missing a part, does not compile.
import type { ProviderKind } from "@/db/schema/provider-configs";
import type { ProviderAdapter } from "./adapter";
import { elksProvider } from "./elks";
import { fcmProvider } from "./fcm";
import { infobipProvider } from "./infobip";
import { mailgunProvider } from "./mailgun";
import { netgsmProvider } from "./netgsm";
import { onesignalProvider } from "./onesignal";
import type { ProviderModule } from "./provider-module";
import { sendgridProvider } from "./sendgrid";
import { twilioProvider } from "./twilio";
import { whatsappProvider } from "./whatsapp";

export const providerRegistry: { [P in ProviderKind]: ProviderModule<P> } = {
  sendgrid: sendgridProvider,
  mailgun: mailgunProvider,
  elks: elksProvider,
  twilio: twilioProvider,
  infobip: infobipProvider,
  fcm: fcmProvider,
  onesignal: onesignalProvider,
  whatsapp: whatsappProvider,
  netgsm: netgsmProvider,
};

export function providerModule<P extends ProviderKind>(provider: P): ProviderModule<P> {
  return providerRegistry[provider] as ProviderModule<P>;
}

export function adapterFor<P extends ProviderKind>(provider: P): ProviderAdapter<P> {
  return providerModule(provider).adapter;
}
