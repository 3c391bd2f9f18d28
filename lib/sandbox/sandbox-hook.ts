// How the API reaches the sandbox without bundling the simulator into the web app: the process
// that runs the simulator (scripts/start.ts in development, or a test) registers it here, and the
// route finds it through globalThis (Next loads its own copy of lib/).
import { ApiError } from "@/lib/api/errors";
import type { TenantContext } from "@/lib/tenancy/context";
import type { ProviderConfigOut } from "@/lib/validations/provider-configs";

type EnsureSandbox = (ctx: TenantContext) => Promise<ProviderConfigOut[]>;
const key = Symbol.for("herald.sandbox.ensure");
type G = typeof globalThis & { [key]?: EnsureSandbox };

export function registerSandbox(ensure: EnsureSandbox) {
  (globalThis as G)[key] = ensure;
}

/** Adds (or re-binds) the tenant's sandbox configs; 403 in production or where no sandbox runs. */
export async function addSandboxConfigs(ctx: TenantContext): Promise<ProviderConfigOut[]> {
  if (process.env.NODE_ENV === "production") throw ApiError.forbidden("The sandbox is never available when NODE_ENV is production");
  const ensure = (globalThis as G)[key];
  if (!ensure) throw ApiError.forbidden("No sandbox runs in this process: start Herald in development on the embedded database (npm run dev)");
  return ensure(ctx);
}
