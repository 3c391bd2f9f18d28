// The simulator's provider registry: one module per provider, keyed by name. Provider names and
// the account union are derived from it, so a new provider is its module plus one line here.
import type { ProviderModule } from "../provider";
import { customerio } from "./customerio";
import { elks } from "./elks";
import { fcm } from "./fcm";
import { infobip } from "./infobip";
import { mailgun } from "./mailgun";
import { netgsm } from "./netgsm";
import { onesignal } from "./onesignal";
import { sendgrid } from "./sendgrid";
import { twilio } from "./twilio";
import { whatsapp } from "./whatsapp";

const modules = {
  sendgrid,
  mailgun,
  elks,
  twilio,
  infobip,
  fcm,
  onesignal,
  whatsapp,
  netgsm,
  customerio,
};

type Modules = typeof modules;
export type ProviderName = keyof Modules;
type AccountOfModule<M> = M extends ProviderModule<infer A> ? A : never;
export type AccountOf<P extends ProviderName> = AccountOfModule<Modules[P]>;
export type Account = { [P in ProviderName]: AccountOf<P> }[ProviderName];

// The mapped type checks each module is registered under its own name.
export const providerModules: { [P in ProviderName]: ProviderModule<AccountOf<P>> & { name: P } } =
  modules;

export const PROVIDERS = Object.keys(modules) as [ProviderName, ...ProviderName[]];

export function isProviderName(value: unknown): value is ProviderName {
  return typeof value === "string" && (PROVIDERS as readonly string[]).includes(value);
}

/** A module as generic code uses it: any account of the union. */
export function moduleOf(provider: ProviderName): ProviderModule<Account> {
  return providerModules[provider] as ProviderModule<Account>;
}
