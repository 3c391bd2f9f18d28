// netgsm: everything Herald knows about this provider, for the registry.
import { defineProviderModule } from "../provider-module";
import { checkNetgsmCredentials } from "./check-credentials";
import { netgsmDefinition } from "./definition";
import { pollNetgsmReports } from "./poll-reports";
import { netgsmAdapter } from "./send";

export const netgsmProvider = defineProviderModule({
  definition: netgsmDefinition,
  adapter: netgsmAdapter,
  checkCredentials: checkNetgsmCredentials,
  // Netgsm posts no webhooks; delivery status is read from its report API.
  webhook: null,
  pollReports: async () => ({ ...(await pollNetgsmReports()) }),
});
