// fcm: everything Herald knows about this provider, for the registry.
import { defineProviderModule } from "../provider-module";
import { checkFcmCredentials } from "./check-credentials";
import { fcmDefinition } from "./definition";
import { fcmAdapter } from "./send";

export const fcmProvider = defineProviderModule({
  definition: fcmDefinition,
  adapter: fcmAdapter,
  checkCredentials: checkFcmCredentials,
  webhook: null,
  pollReports: null,
});
