// Headless administration: `npm run admin -- <command> [--flag value …]`. Other tools script
// against these commands, so their names, flags and output lines are a contract.
import { parseArgs } from "node:util";
import { closeDb, getDb } from "@/db";
import { findTenantBySlug, listTenantsWithCounts } from "@/db/queries/tenants";
import { ApiError } from "@/lib/api/errors";
import { createApiKey } from "@/lib/auth/api-keys";
import { isScope, type Scope } from "@/lib/auth/permissions";
import { createMemberForTenantSlug } from "@/lib/members/members";
import { createTenant } from "@/lib/tenants/create-tenant";
import { rotateTelephonyToken } from "@/lib/telephony/tokens";
import type { TenantContext } from "@/lib/tenancy/context";
import { roleSchema } from "@/lib/validations/members";
import { bootDatabase } from "@/lib/server/boot";
import { reindexTenantSchools } from "@/lib/schools/search/sync";
import { typesenseConfig } from "@/lib/schools/search/typesense";

const usage = `Usage: npm run admin -- <command> [options]
  tenant:create --slug <slug> --name <name>
  tenant:list
  user:create --tenant <slug> --email <email> --role <owner|admin|staff|viewer>
  api-key:create --tenant <slug> --name <name> --scopes <scope,scope,…>
  schools:reindex --tenant <slug>   (rebuild the tenant's Typesense documents)
  telephony-token:create --tenant <slug>   (creates or rotates the X-API-TOKEN for /api/call-events)`;

type Handler = (flags: Record<string, string | undefined>) => Promise<void>;

function required(flags: Record<string, string | undefined>, name: string): string {
  const v = flags[name];
  if (!v) throw new ApiError({ code: "validation_failed", message: `--${name} is required` });
  return v;
}

async function cliContext(slug: string): Promise<TenantContext> {
  const tenant = await findTenantBySlug(getDb(), { slug });
  if (!tenant) throw ApiError.notFound(`Tenant "${slug}"`);
  return { tenantId: tenant.id, tenantSlug: tenant.slug, actor: { type: "system", label: "admin cli" }, requestId: `cli_${Date.now().toString(36)}` };
}

const commands: Record<string, Handler> = {
  async "schools:reindex"(flags) {
    const config = typesenseConfig();
    if (!config) throw new ApiError({ code: "bad_request", message: "Typesense is not configured (set TYPESENSE_HOST and TYPESENSE_API_KEY); Postgres search needs no index" });
    const ctx = await cliContext(required(flags, "tenant"));
    const result = await reindexTenantSchools(config, ctx.tenantId, (n) => console.log(`indexed ${n}`));
    console.log(`reindexed ${result.indexed} school(s) of ${ctx.tenantSlug} into ${result.collection}; removed ${result.deleted} stale document(s)`);
  },
  async "tenant:create"(flags) {
    const tenant = await createTenant({ slug: required(flags, "slug"), name: required(flags, "name") });
    console.log(`created tenant ${tenant.slug} (${tenant.id})`);
  },
  async "tenant:list"() {
    const rows = await listTenantsWithCounts(getDb());
    if (rows.length === 0) console.log("no tenants");
    for (const t of rows) console.log(`${t.slug}\t${t.name}\t${t.members} member(s)\t${t.id}`);
  },
  async "user:create"(flags) {
    const role = roleSchema.parse(required(flags, "role"));
    const { member } = await createMemberForTenantSlug({ tenantSlug: required(flags, "tenant"), email: required(flags, "email"), role });
    console.log(`added ${member.email} as ${member.role}`);
    if (member.oneTimePassword) console.log(`one-time password: ${member.oneTimePassword}`);
    else console.log("existing account: password unchanged");
  },
  async "api-key:create"(flags) {
    const scopes = required(flags, "scopes").split(",").map((s) => s.trim()).filter(Boolean);
    const bad = scopes.filter((s) => !isScope(s));
    if (bad.length > 0) throw new ApiError({ code: "validation_failed", message: `unknown scope(s): ${bad.join(", ")}` });
    const ctx = await cliContext(required(flags, "tenant"));
    const key = await createApiKey(ctx, { name: required(flags, "name"), scopes: scopes as Scope[] });
    console.log(`created API key ${key.prefix}… (${key.id}) with scopes ${key.scopes.join(",")}`);
    // The key alone on the last line, for scripts.
    console.log(key.key);
  },
  async "telephony-token:create"(flags) {
    const ctx = await cliContext(required(flags, "tenant"));
    const created = await rotateTelephonyToken(ctx);
    console.log(`created telephony token ${created.prefix}… for ${ctx.tenantSlug}; any previous token is revoked`);
    // The token alone on the last line, for scripts.
    console.log(created.token);
  },
};

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  const handler = command ? commands[command] : undefined;
  if (!handler) {
    console.error(usage);
    process.exit(command ? 2 : 0);
  }
  const { values } = parseArgs({
    args: rest,
    options: { slug: { type: "string" }, name: { type: "string" }, tenant: { type: "string" }, email: { type: "string" }, role: { type: "string" }, scopes: { type: "string" } },
    strict: true,
  });
  const booted = await bootDatabase({ mode: "cli", seed: false });
  try {
    await handler(values);
  } finally {
    await closeDb();
    await booted.embedded?.stop();
  }
}

main().catch((err) => {
  console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
