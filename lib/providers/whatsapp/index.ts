// whatsapp: everything Herald knows about this provider, for the registry.
import { defineProviderModule } from "../provider-module";
import { checkWhatsappCredentials } from "./check-credentials";
import { whatsappDefinition } from "./definition";
import { whatsappAdapter } from "./send";
import { whatsappWebhook } from "./webhook";

export const whatsappProvider = defineProviderModule({
  definition: whatsappDefinition,
  adapter: whatsappAdapter,
  checkCredentials: checkWhatsappCredentials,
  webhook: whatsappWebhook,
  pollReports: null,
});
