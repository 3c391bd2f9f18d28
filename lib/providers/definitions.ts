// Every provider's definition, keyed by kind. Client-safe: forms, labels and the config bodies
// read it; the server registry (registry.ts) pairs each definition with its send and webhook code.
import type { Channel, ProviderKind } from "@/db/schema/enum-values";
import type { ProviderDefinitionInput } from "./definition";
import { elksDefinition } from "./elks/definition";
import { fcmDefinition } from "./fcm/definition";
import { infobipDefinition } from "./infobip/definition";
import { mailgunDefinition } from "./mailgun/definition";
import { netgsmDefinition } from "./netgsm/definition";
import { onesignalDefinition } from "./onesignal/definition";
import { sendgridDefinition } from "./sendgrid/definition";
import { twilioDefinition } from "./twilio/definition";
import { whatsappDefinition } from "./whatsapp/definition";

// `satisfies` over every kind: a kind without a definition, or a definition of the wrong kind, does not compile.
export const providerDefinitions = {
  sendgrid: sendgridDefinition,
  mailgun: mailgunDefinition,
  elks: elksDefinition,
  twilio: twilioDefinition,
  infobip: infobipDefinition,
  fcm: fcmDefinition,
  onesignal: onesignalDefinition,
  whatsapp: whatsappDefinition,
  netgsm: netgsmDefinition,
} satisfies { [P in ProviderKind]: ProviderDefinitionInput<P> };

export type ProviderDefinitions = typeof providerDefinitions;

const kinds = Object.keys(providerDefinitions) as ProviderKind[];
const mapKinds = <T>(fn: (d: ProviderDefinitionInput) => T) =>
  Object.fromEntries(kinds.map((k) => [k, fn(providerDefinitions[k])])) as Record<ProviderKind, T>;

export const providerLabels: Record<ProviderKind, string> = mapKinds((d) => d.label);
export const providerChannels: Record<ProviderKind, Channel> = mapKinds((d) => d.channel);

export function definitionOf(provider: ProviderKind): ProviderDefinitionInput {
  return providerDefinitions[provider];
}

/** Providers that post webhooks to Herald, in registry order. */
export const webhookProviderKinds: ProviderKind[] = kinds.filter((k) => providerDefinitions[k].postsWebhooks);

/** Push: which payload target field addresses a device on this provider. */
export function pushAddressOf(provider: ProviderKind): "device_token" | "player_id" {
  return definitionOf(provider).pushAddress ?? "device_token";
}

/** The channel's providers in default-route order. */
export function providersOfChannel(channel: Channel): ProviderDefinitionInput[] {
  return kinds
    .map((k) => providerDefinitions[k] as ProviderDefinitionInput)
    .filter((d) => d.channel === channel)
    .sort((a, b) => a.routing.order - b.routing.order);
}
