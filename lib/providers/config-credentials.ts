// Writing a config's credentials: a value goes to the secret store (stored or rotated), a ref is checked.
import type { DbOrTx } from "@/db";
import type { ProviderKind } from "@/db/schema/provider-configs";
import { ApiError } from "@/lib/api/errors";
import { createSecret, isEnvRefAllowed, parseRef, refExists, rotateSecret, SecretStoreError } from "@/lib/secrets/store";
import { actorUserId, type TenantContext } from "@/lib/tenancy/context";
import type { CredentialInput } from "@/lib/validations/provider-configs";
import { definitionOf } from "./definitions";

function credentialLabel(provider: ProviderKind, field: string, displayName: string) {
  return `${provider} ${field.replace(/_ref$/, "")} for "${displayName}"`;
}

export function credentialError(field: string, message: string) {
  return new ApiError({
    code: "validation_failed",
    message: "The request is invalid",
    details: [{ path: `credentials.${field}`, message, code: "custom" }],
  });
}

/** The provider definition's check on a credential's value before it is stored (never echoing it). */
function validateCredentialValue(provider: ProviderKind, field: string, value: string, settings: Record<string, unknown>) {
  const problem = definitionOf(provider).validateCredential?.(field, value, settings);
  if (problem) throw credentialError(field, problem);
}

export async function writeCredential(
  tx: DbOrTx,
  ctx: TenantContext,
  args: { provider: ProviderKind; field: string; input: CredentialInput; currentRef?: string; displayName: string; settings: Record<string, unknown> },
): Promise<{ ref: string; change: "stored" | "rotated" | "ref" }> {
  const { input, field } = args;
  if (typeof input === "object" && "ref" in input) {
    const parsed = parseRef(input.ref);
    if (parsed?.kind === "env" && !isEnvRefAllowed(parsed.name)) {
      throw credentialError(field, `Environment variable ${parsed.name} may not be used for credentials (see HERALD_ENV_REF_ALLOW)`);
    }
    if (!(await refExists(tx, ctx.tenantId, input.ref))) throw credentialError(field, "No such stored secret in this tenant");
    const ref = parsed?.kind === "secret" ? `secret:${parsed.id}` : input.ref;
    return { ref, change: "ref" };
  }
  const value = typeof input === "string" ? input : input.value;
  validateCredentialValue(args.provider, field, value, args.settings);
  if (args.currentRef && parseRef(args.currentRef)?.kind === "secret") {
    await rotateSecret(tx, { tenantId: ctx.tenantId, ref: args.currentRef, value, rotatedBy: actorUserId(ctx.actor) });
    return { ref: args.currentRef, change: "rotated" };
  }
  const created = await createSecret(tx, {
    tenantId: ctx.tenantId,
    label: credentialLabel(args.provider, field, args.displayName),
    value,
    createdBy: actorUserId(ctx.actor),
  });
  return { ref: created.ref, change: "stored" };
}

/** A secret store outage answers 503, not 500: nothing was written. */
export function secretStoreFailure(err: unknown): never {
  if (err instanceof SecretStoreError) {
    throw new ApiError({ code: "service_unavailable", message: `The secret store is unavailable: ${err.message}`, cause: err });
  }
  throw err;
}
