// sendgrid: everything Herald knows about this provider, for the registry.
import { defineProviderModule } from "../provider-module";
import { checkSendgridCredentials } from "./check-credentials";
import { sendgridDefinition } from "./definition";
import { sendgridAdapter } from "./send";
import { sendgridWebhook } from "./webhook";

export const sendgridProvider = defineProviderModule({
  definition: sendgridDefinition,
  adapter: sendgridAdapter,
  checkCredentials: checkSendgridCredentials,
  webhook: sendgridWebhook,
  pollReports: null,
});
