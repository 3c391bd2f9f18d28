import type { ProviderModule } from "../provider";
import type { ProviderName } from "../types";
import { elks } from "./elks";
import { fcm } from "./fcm";
import { infobip } from "./infobip";
import { mailgun } from "./mailgun";
import { onesignal } from "./onesignal";
import { sendgrid } from "./sendgrid";
import { twilio } from "./twilio";
import { whatsapp } from "./whatsapp";

export const providerModules: Record<ProviderName, ProviderModule> = {
  sendgrid,
  mailgun,
  elks,
  twilio,
  infobip,
  fcm,
  onesignal,
  whatsapp,
};
