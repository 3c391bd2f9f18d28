// twilio: everything Herald knows about this provider, for the registry.
import { defineProviderModule } from "../provider-module";
import { checkTwilioCredentials } from "./check-credentials";
import { twilioDefinition } from "./definition";
import { twilioAdapter } from "./send";
import { twilioWebhook } from "./webhook";

export const twilioProvider = defineProviderModule({
  definition: twilioDefinition,
  adapter: twilioAdapter,
  checkCredentials: checkTwilioCredentials,
  webhook: twilioWebhook,
  pollReports: null,
});
