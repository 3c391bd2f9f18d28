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
import { setTenantMessageAuditDays } from "@/lib/retention/tenant-retention";
import type { TenantContext } from "@/lib/tenancy/context";
import { roleSchema } from "@/lib/validations/members";
import { bootDatabase } from "@/lib/server/boot";
import { reindexTenantSchools } from "@/lib/schools/search/sync";
import { typesenseConfig } from "@/lib/schools/search/typesense";
import { getCustomerioConfig, resyncCustomerio } from "@/lib/integrations/customerio/integration";
import { runCustomerioSync } from "@/lib/integrations/customerio/sync";

const usage = `Usage: npm run admin -- <command> [options]
  tenant:create --slug <slug> --name <name>
  tenant:list
  user:create --tenant <slug> --email <email> --role <owner|admin|staff|viewer>
  api-key:create --tenant <slug> --name <name> --scopes <scope,scope,…>
  schools:reindex --tenant <slug>   (rebuild the tenant's Typesense documents)
  telephony-token:create --tenant <slug>   (creates or rotates the X-API-TOKEN for /api/call-events)
  retention:set --tenant <slug> --message-audit-days <n>   (how long the tenant's messages keep their audit)
  customerio:resync --tenant <slug> [--b2c] [--b2b]   (resend every contact and/or school to Customer.io; both when neither is given)`;

type Handler = (flags: Record<string, string | boolean | undefined>) => Promise<void>;

function required(flags: Record<string, string | boolean | undefined>, name: string): string {
  const v = flags[name];
  if (!v || typeof v !== "string") throw new ApiError({ code: "validation_failed", message: `--${name} is required` });
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
  async "customerio:resync"(flags) {
    const ctx = await cliContext(required(flags, "tenant"));
    const both = !flags.b2c && !flags.b2b;
    const marked = await resyncCustomerio(ctx, { b2c: both || flags.b2c === true, b2b: both || flags.b2b === true, onProgress: (n) => console.log(`marked ${n}`) });
    console.log(`marked ${marked.marked} entit(ies) of ${ctx.tenantSlug} for Customer.io; sending`);
    // Sends here as well as in the workers (claims are disjoint), so the command ends when all is sent.
    for (;;) {
      const run = await runCustomerioSync({ tenantId: ctx.tenantId });
      const cfg = await getCustomerioConfig(ctx);
      console.log(`progress ${cfg.resync?.done ?? 0}/${cfg.resync?.total ?? 0}; synced ${cfg.counts.synced}, pending ${cfg.counts.pending}, failed ${cfg.counts.failed}`);
      if (run.stopped) throw new ApiError({ code: "bad_request", message: `sync stopped: ${run.stopped}${cfg.last_error ? ` (${cfg.last_error})` : ""}` });
      if (cfg.counts.pending === 0) break;
      if (run.claimed === 0) await new Promise((r) => setTimeout(r, Math.max(200, (run.nextDueAt ? new Date(run.nextDueAt).getTime() : Date.now()) - Date.now())));
    }
  },
  async "retention:set"(flags) {
    const ctx = await cliContext(required(flags, "tenant"));
    const row = await setTenantMessageAuditDays(ctx, Number(required(flags, "message-audit-days")));
    console.log(`messages of ${ctx.tenantSlug} keep their audit for ${row.messageAuditDays} day(s)`);
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
    options: { slug: { type: "string" }, name: { type: "string" }, tenant: { type: "string" }, email: { type: "string" }, role: { type: "string" }, scopes: { type: "string" }, "message-audit-days": { type: "string" }, b2c: { type: "boolean" }, b2b: { type: "boolean" } },
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
