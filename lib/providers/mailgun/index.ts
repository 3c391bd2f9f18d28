// mailgun: everything Herald knows about this provider, for the registry.
import { defineProviderModule } from "../provider-module";
import { checkMailgunCredentials } from "./check-credentials";
import { mailgunDefinition } from "./definition";
import { mailgunAdapter } from "./send";
import { mailgunWebhook } from "./webhook";

export const mailgunProvider = defineProviderModule({
  definition: mailgunDefinition,
  adapter: mailgunAdapter,
  checkCredentials: checkMailgunCredentials,
  webhook: mailgunWebhook,
  pollReports: null,
});
