// A new simulator account: the fields every account shares, then the provider module's credentials.
import { hex } from "./ids";
import type { AccountSecrets } from "./provider";
import { moduleOf } from "./providers/index";
import type { Account, CreateAccountInput } from "./types";

export type { AccountSecrets } from "./provider";

export function buildAccount(
  input: CreateAccountInput,
  baseUrl: string,
  isDefault: boolean,
): { account: Account; secrets: AccountSecrets } {
  const base = {
    id: `acct_${input.provider}_${hex(6)}`,
    label: input.label ?? (isDefault ? `default ${input.provider}` : input.provider),
    isDefault,
    webhookUrl: input.webhookUrl ?? null,
    autoDelivery: null,
    createdAt: new Date().toISOString(),
  };
  const { account, secrets } = moduleOf(input.provider).buildAccount(
    base,
    input.credentials ?? {},
    baseUrl,
  );
  return { account, secrets: secrets ?? {} };
}
