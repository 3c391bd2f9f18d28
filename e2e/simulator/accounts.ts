// Credential generation per provider, in each provider's own id formats.
import { randomBytes, randomUUID, type KeyObject } from "node:crypto";
import { generateSendgridKeyPair, generateServiceAccountKey } from "./signing";
import type { Account, CreateAccountInput, ProviderName } from "./types";

/** Key material that never leaves the simulator. */
export interface AccountSecrets {
  sendgridPrivateKey?: KeyObject;
  fcmPublicKey?: KeyObject;
}

const hex = (bytes: number) => randomBytes(bytes).toString("hex");
const alnum = (length: number) =>
  randomBytes(length * 2)
    .toString("base64url")
    .replace(/[-_]/g, "")
    .slice(0, length);
const digits = (length: number) =>
  Array.from(randomBytes(length), (b) => String(b % 10)).join("");

export function buildAccount(
  input: CreateAccountInput,
  baseUrl: string,
  isDefault: boolean,
): { account: Account; secrets: AccountSecrets } {
  const c = input.credentials ?? {};
  const base = {
    id: `acct_${input.provider}_${hex(6)}`,
    label: input.label ?? (isDefault ? `default ${input.provider}` : input.provider),
    isDefault,
    webhookUrl: input.webhookUrl ?? null,
    autoDelivery: null,
    createdAt: new Date().toISOString(),
  };
  const provider: ProviderName = input.provider;
  switch (provider) {
    case "sendgrid": {
      const pair = generateSendgridKeyPair();
      return {
        account: {
          ...base,
          provider,
          apiKey: c.apiKey ?? `SG.${alnum(22)}.${alnum(43)}`,
          publicKey: pair.publicKeyBase64,
        },
        secrets: { sendgridPrivateKey: pair.privateKey },
      };
    }
    case "mailgun":
      return {
        account: {
          ...base,
          provider,
          apiKey: c.apiKey ?? `key-${hex(16)}`,
          domain: c.domain ?? `mg${hex(3)}.sim.test`,
          webhookSigningKey: c.webhookSigningKey ?? `whsk-${hex(16)}`,
        },
        secrets: {},
      };
    case "elks":
      return {
        account: {
          ...base,
          provider,
          username: c.username ?? `u${hex(16)}`,
          password: c.password ?? hex(16).toUpperCase(),
        },
        secrets: {},
      };
    case "twilio":
      return {
        account: {
          ...base,
          provider,
          accountSid: c.accountSid ?? `AC${hex(16)}`,
          authToken: c.authToken ?? hex(16),
        },
        secrets: {},
      };
    case "infobip":
      return {
        account: { ...base, provider, apiKey: c.apiKey ?? `${hex(16)}-${randomUUID()}` },
        secrets: {},
      };
    case "fcm": {
      const projectId = c.projectId ?? `sim-project-${hex(3)}`;
      const key = generateServiceAccountKey();
      const clientEmail = `firebase-adminsdk-${alnum(5).toLowerCase()}@${projectId}.iam.gserviceaccount.com`;
      return {
        account: {
          ...base,
          provider,
          projectId,
          serviceAccount: {
            type: "service_account",
            project_id: projectId,
            private_key_id: hex(20),
            private_key: key.privateKeyPem,
            client_email: clientEmail,
            client_id: digits(21),
            auth_uri: `${baseUrl}/o/oauth2/auth`,
            token_uri: `${baseUrl}/token`,
          },
        },
        secrets: { fcmPublicKey: key.publicKey },
      };
    }
    case "onesignal":
      return {
        account: {
          ...base,
          provider,
          appId: c.appId ?? randomUUID(),
          apiKey: c.apiKey ?? `os_v2_app_${alnum(48).toLowerCase()}`,
        },
        secrets: {},
      };
    case "whatsapp":
      return {
        account: {
          ...base,
          provider,
          phoneNumberId: c.phoneNumberId ?? digits(15),
          displayPhoneNumber: c.displayPhoneNumber ?? `1555${digits(7)}`,
          wabaId: c.wabaId ?? digits(15),
          accessToken: c.accessToken ?? `EAAG${alnum(60)}`,
          appSecret: c.appSecret ?? hex(16),
          verifyToken: c.verifyToken ?? hex(8),
        },
        secrets: {},
      };
  }
}
