// elks: everything Herald knows about this provider, for the registry.
import { defineProviderModule } from "../provider-module";
import { checkElksCredentials } from "./check-credentials";
import { elksDefinition } from "./definition";
import { elksAdapter } from "./send";
import { elksWebhook } from "./webhook";

export const elksProvider = defineProviderModule({
  definition: elksDefinition,
  adapter: elksAdapter,
  checkCredentials: checkElksCredentials,
  webhook: elksWebhook,
  pollReports: null,
});
