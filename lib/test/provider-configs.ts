import { generateKeyPairSync, randomUUID } from "node:crypto";
import { createConfig, transitionConfig } from "@/lib/providers/configs";
import type { TenantContext } from "@/lib/tenancy/context";
import type { ProviderKind } from "@/lib/validations/provider-configs";

let fcmKey: string | undefined;

/** A valid create body for a provider (credentials are throwaway values; nothing is called). */
export type ConfigBody = Record<string, unknown> & { provider: ProviderKind; display_name: string; credentials: Record<string, string> };

export function configBody(provider: ProviderKind, overrides: Record<string, unknown> = {}): ConfigBody {
  const base = { provider, display_name: `${provider} ${randomUUID().slice(0, 6)}`, api_base_url: "http://127.0.0.1:9" };
  const bodies: Record<ProviderKind, Record<string, unknown>> = {
    sendgrid: { from_email: "noreply@example.com", from_name: "Herald", credentials: { api_key_ref: "SG.test", webhook_signing_key_ref: "pk" } },
    mailgun: { domain: "mg.example.com", region: "eu", from_email: "hi@mg.example.com", from_name: "Herald", credentials: { api_key_ref: "key", webhook_signing_key_ref: "whk" } },
    elks: { sender_id: "Herald", credentials: { api_username_ref: "u", api_password_ref: "p" } },
    twilio: { from_number: "+15005550006", supported_countries: [], credentials: { account_sid_ref: `AC${"0".repeat(32)}`, auth_token_ref: "tok" } },
    infobip: { base_url: "http://127.0.0.1:9", sender: "InfoSMS", credentials: { api_key_ref: "key" } },
    fcm: { project_id: "herald-test", credentials: { service_account_json_ref: fcmServiceAccount() } },
    onesignal: { app_id: randomUUID(), credentials: { rest_api_key_ref: "key" } },
    whatsapp: {
      phone_number_id: "1234567",
      business_account_id: "7654321",
      display_phone_number: "+15551234567",
      business_name: "Herald",
      credentials: { access_token_ref: "tok", app_secret_ref: "sec", webhook_verify_token_ref: "ver" },
    },
  };
  return { ...base, ...bodies[provider], ...overrides } as unknown as ConfigBody;
}

function fcmServiceAccount() {
  fcmKey ??= generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  return JSON.stringify({ type: "service_account", project_id: "herald-test", private_key: fcmKey, client_email: "sa@herald-test.iam.gserviceaccount.com" });
}

/** Creates a config through the service and activates it (or leaves it in `status`). */
export async function makeConfig(
  ctx: TenantContext,
  provider: ProviderKind,
  opts: { status?: "active" | "paused" | "draft"; overrides?: Record<string, unknown> } = {},
) {
  const created = await createConfig(ctx, configBody(provider, opts.overrides) as never);
  const status = opts.status ?? "active";
  if (status === "draft") return created;
  await transitionConfig(ctx, created.id, "active");
  if (status === "paused") return transitionConfig(ctx, created.id, "paused");
  return { ...created, status: "active" as const };
}
