// infobip: everything Herald knows about this provider, for the registry.
import { defineProviderModule } from "../provider-module";
import { checkInfobipCredentials } from "./check-credentials";
import { infobipDefinition } from "./definition";
import { infobipAdapter } from "./send";
import { infobipWebhook } from "./webhook";

export const infobipProvider = defineProviderModule({
  definition: infobipDefinition,
  adapter: infobipAdapter,
  checkCredentials: checkInfobipCredentials,
  webhook: infobipWebhook,
  pollReports: null,
});
