// onesignal: everything Herald knows about this provider, for the registry.
import { defineProviderModule } from "../provider-module";
import { checkOnesignalCredentials } from "./check-credentials";
import { onesignalDefinition } from "./definition";
import { onesignalAdapter } from "./send";

export const onesignalProvider = defineProviderModule({
  definition: onesignalDefinition,
  adapter: onesignalAdapter,
  checkCredentials: checkOnesignalCredentials,
  webhook: null,
  pollReports: null,
});
