// FCM: a dry-run send to a topic proves the service account (FCM authenticates and validates, and delivers nothing).
import { refusedHost } from "@/lib/net/provider-hosts";
import { unreachable, type CheckResult, type CredentialCheck } from "../credential-checks";
import { createFcmMessaging } from "./transport";

export const checkFcmCredentials: CredentialCheck = async (input, { need }) => {
  const s = input.settings;
  let serviceAccount: Record<string, unknown>;
  try {
    serviceAccount = JSON.parse(need("service_account_json_ref")) as Record<string, unknown>;
  } catch {
    return { outcome: "rejected", message: "The service account JSON is not valid JSON", httpStatus: null };
  }
  if (serviceAccount.project_id !== s.project_id) {
    return { outcome: "rejected", message: `The service account belongs to project ${String(serviceAccount.project_id)}, not ${String(s.project_id)}`, httpStatus: null };
  }
  try {
    const messaging = await createFcmMessaging({ serviceAccountJson: serviceAccount, apiBaseUrl: input.apiBaseUrl ?? undefined, appName: input.configId });
    await messaging.send({ topic: "herald-credential-check", notification: { title: "Herald credential check" } }, true);
    return { outcome: "ok", message: "FCM accepted the service account (dry run)", httpStatus: 200 };
  } catch (err) {
    return classifyFirebaseError(err);
  }
};

function classifyFirebaseError(err: unknown): CheckResult {
  // A refused host (lib/net/provider-hosts): firebase keeps only its text inside its own message.
  if (refusedHost(err)) return unreachable(err);
  const e = err as { code?: string; message?: string; httpResponse?: { status?: number } };
  const code = typeof e.code === "string" ? e.code : "";
  const message = e.message || code || "FCM rejected the request";
  if (code === "app/invalid-credential" || /invalid_grant|invalid_client|invalid jwt/i.test(message)) {
    if (/ECONNREFUSED|ENOTFOUND|ETIMEDOUT|socket hang up|network/i.test(message)) return { outcome: "unreachable", message: "Could not reach the provider (token endpoint)", httpStatus: null };
    return { outcome: "auth", message, httpStatus: 401 };
  }
  const status = e.httpResponse?.status;
  if (/authentication|third-party-auth|mismatched-credential|sender-id-mismatch|permission/i.test(code)) return { outcome: "auth", message, httpStatus: status ?? 401 };
  if (code === "app/network-error" || code === "messaging/app/network-error" || /network/i.test(code)) return { outcome: "unreachable", message: "Could not reach the provider", httpStatus: null };
  if (/unavailable|internal|quota/i.test(code)) return { outcome: "provider_error", message, httpStatus: status ?? null };
  return { outcome: "rejected", message, httpStatus: status ?? null };
}
