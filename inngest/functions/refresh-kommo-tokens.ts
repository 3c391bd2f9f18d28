import { refreshExpiringKommoTokens } from "@/lib/integrations/kommo/refresh";
import { deadLetterIsTerminal, defineWorkflow } from "@/lib/jobs/workflow";

/** RefreshKommoTokens: every 15 minutes, rotates the tokens of integrations whose access token expires within 6 hours. */
export const refreshKommoTokensWorkflow = defineWorkflow({
  id: "refresh-kommo-tokens",
  name: "Refresh Kommo tokens",
  event: "herald/kommo-tokens.refresh",
  cron: "*/15 * * * *",
  retries: 2,
  concurrency: 1,
  handler: async ({ step }) => step.run("refresh", () => refreshExpiringKommoTokens()),
  onFailure: deadLetterIsTerminal,
});
