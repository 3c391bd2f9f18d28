/** The deployment's own Slack incoming webhook (every alert, error log lines included); null when unset. */
export function deploymentWebhookUrl(env: NodeJS.ProcessEnv = process.env): string | null {
  const url = env.HERALD_SLACK_WEBHOOK_URL?.trim();
  return url ? url : null;
}
