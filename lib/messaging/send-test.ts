// "Send test" on a provider config: a real message through the normal path (accept → outbox → delivery workflow).
import { ApiError, zodDetails } from "@/lib/api/errors";
import { findConfigRecord } from "@/lib/providers/config-record";
import type { TenantContext } from "@/lib/tenancy/context";
import { channelPayloadSchemas } from "@/lib/validations/messages";
import type { ProviderKind } from "@/db/schema/provider-configs";
import { providerChannels, providerLabels, pushAddressOf } from "@/lib/providers/definitions";
import type { SendTestBody } from "@/lib/validations/send-test";
import { sendMessage, type SendOutcome } from "./send-message";

function testPayload(provider: ProviderKind, displayName: string, body: SendTestBody): Record<string, unknown> {
  const text = `This is a test message from Herald, sent through the ${providerLabels[provider]} configuration “${displayName}”.`;
  switch (providerChannels[provider]) {
    case "email":
      return { to: [{ email: body.to }], subject: `Herald test: ${displayName}`, body_text: text, categories: ["herald-test"] };
    case "sms":
      return { to: body.to, body: text };
    case "push":
      return {
        target: { [pushAddressOf(provider)]: body.to, platform: body.platform ?? "android" },
        title: "Herald test",
        body: text,
      };
    case "whatsapp":
      return body.template_name
        ? { to: body.to, template_name: body.template_name, ...(body.template_language ? { template_language: body.template_language } : {}) }
        : { to: body.to, body_text: text };
  }
}

/**
 * Accepts a test message for exactly this config (no fallback) and returns the 202 answer of the
 * send API; its delivery shows on the Messages page like any other message.
 */
export async function sendTestMessage(ctx: TenantContext, provider: ProviderKind, configId: string, body: SendTestBody): Promise<SendOutcome> {
  const config = await findConfigRecord(ctx.tenantId, configId);
  if (!config || config.provider !== provider) throw ApiError.notFound("Provider config");
  if (config.status !== "active") {
    throw ApiError.conflict(`Only an active config can send; this one is ${config.status}`, { status: config.status });
  }
  const channel = providerChannels[provider];
  const parsed = channelPayloadSchemas[channel].safeParse(testPayload(provider, config.displayName, body));
  if (!parsed.success) {
    // Field errors point at `to` (the only thing the caller chose), whatever the payload shape.
    const details = zodDetails(parsed.error).map((d) => ({ ...d, path: /^(to|target)/.test(String(d.path)) ? "to" : d.path }));
    throw new ApiError({ code: "validation_failed", message: "The request is invalid", details });
  }
  return sendMessage(
    ctx,
    { channel, payload: parsed.data as Record<string, unknown>, configId, provider, context: { herald_send_test: true } },
    { endpoint: `${provider}/send-test` },
  );
}
