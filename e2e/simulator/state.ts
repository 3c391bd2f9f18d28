// In-memory state of one simulator instance: accounts, sent messages and bounded history.
import { CustomerioStore } from "./providers/customerio-state";
import { buildAccount, type AccountSecrets } from "./accounts";
import { TfaStore } from "./providers/infobip-2fa-state";
import { RingBuffer } from "./ring-buffer";
import type {
  Account,
  AccountOf,
  CreateAccountInput,
  ListFilter,
  ProviderName,
  RecordedRequest,
  SentMessage,
  UpdateAccountInput,
  WebhookDelivery,
} from "./types";

export class SimState {
  private accounts = new Map<string, Account>();
  private secrets = new Map<string, AccountSecrets>();
  private messages = new Map<string, SentMessage>();
  readonly requests: RingBuffer<RecordedRequest>;
  readonly deliveries: RingBuffer<WebhookDelivery>;
  private seq = 0;
  autoDelivery = true;
  /** FCM OAuth access tokens issued by /token. */
  readonly fcmTokens = new Map<string, { accountId: string; expiresAt: number }>();
  /** OneSignal idempotency_key/external_id → notification id, per app. */
  readonly onesignalIdempotency = new Map<string, string>();
  /** Infobip 2FA applications (with their message templates) and sent PINs. */
  readonly infobipTfa = new TfaStore(10_000);
  /** Customer.io workspaces (people, objects, relationships) per account. */
  readonly customerio = new CustomerioStore();
  /** WhatsApp media uploaded to (or received by) an account, by media id; the oldest go first. */
  readonly whatsappMedia = new Map<string, { accountId: string; bytes: Buffer; mimeType: string; sha256: string; filename?: string }>();

  saveWhatsappMedia(id: string, media: { accountId: string; bytes: Buffer; mimeType: string; sha256: string; filename?: string }): void {
    this.whatsappMedia.set(id, media);
    // Bounded by count (tests upload a few files; a bench would not keep them all).
    while (this.whatsappMedia.size > 1000) {
      const oldest = this.whatsappMedia.keys().next();
      if (oldest.done) break;
      this.whatsappMedia.delete(oldest.value);
    }
  }

  constructor(
    readonly maxRecords: number,
    private readonly baseUrl: () => string,
  ) {
    this.requests = new RingBuffer(maxRecords);
    this.deliveries = new RingBuffer(maxRecords);
  }

  nextSeq(): number {
    this.seq += 1;
    return this.seq;
  }

  createAccount(input: CreateAccountInput, isDefault = false): Account {
    const { account, secrets } = buildAccount(input, this.baseUrl(), isDefault);
    this.accounts.set(account.id, account);
    this.secrets.set(account.id, secrets);
    return account;
  }

  getAccount(id: string): Account | undefined {
    return this.accounts.get(id);
  }

  getSecrets(id: string): AccountSecrets {
    return this.secrets.get(id) ?? {};
  }

  listAccounts(provider?: ProviderName): Account[] {
    return [...this.accounts.values()].filter((a) => !provider || a.provider === provider);
  }

  findAccount<P extends ProviderName>(
    provider: P,
    predicate: (account: AccountOf<P>) => boolean,
  ): AccountOf<P> | undefined {
    for (const account of this.accounts.values()) {
      if (account.provider === provider && predicate(account as AccountOf<P>)) {
        return account as AccountOf<P>;
      }
    }
    return undefined;
  }

  updateAccount(id: string, patch: UpdateAccountInput): Account {
    const account = this.accounts.get(id);
    if (!account) throw new Error(`account not found: ${id}`);
    if (patch.webhookUrl !== undefined) account.webhookUrl = patch.webhookUrl;
    if (patch.autoDelivery !== undefined) account.autoDelivery = patch.autoDelivery;
    return account;
  }

  shouldAutoDeliver(accountId: string): boolean {
    return this.accounts.get(accountId)?.autoDelivery ?? this.autoDelivery;
  }

  saveMessage(message: SentMessage): void {
    this.messages.set(message.id, message);
    // Evict the oldest entries (Map keeps insertion order) so memory stays bounded.
    while (this.messages.size > this.maxRecords) {
      const oldest = this.messages.keys().next();
      if (oldest.done) break;
      this.messages.delete(oldest.value);
    }
  }

  getMessage(id: string): SentMessage | undefined {
    return this.messages.get(id);
  }

  listMessages(filter: ListFilter = {}): SentMessage[] {
    return applyFilter([...this.messages.values()], filter, (m) => m.createdAt);
  }

  listRequests(filter: ListFilter = {}): RecordedRequest[] {
    return applyFilter(this.requests.toArray(), filter, (r) => r.receivedAt);
  }

  listDeliveries(filter: ListFilter = {}): WebhookDelivery[] {
    return applyFilter(this.deliveries.toArray(), filter, (d) => d.sentAt);
  }

  reset(removeAccounts: boolean): void {
    this.messages.clear();
    this.requests.clear();
    this.deliveries.clear();
    this.fcmTokens.clear();
    this.onesignalIdempotency.clear();
    this.infobipTfa.clear();
    this.whatsappMedia.clear();
    this.customerio.clear();
    this.autoDelivery = true;
    for (const account of this.accounts.values()) {
      if (removeAccounts && !account.isDefault) {
        this.accounts.delete(account.id);
        this.secrets.delete(account.id);
      } else {
        account.autoDelivery = null;
      }
    }
  }
}

function applyFilter<T extends { provider: ProviderName | null; accountId: string | null }>(
  items: T[],
  filter: ListFilter,
  time: (item: T) => string,
): T[] {
  const since =
    filter.since === undefined
      ? undefined
      : typeof filter.since === "number"
        ? filter.since
        : Date.parse(filter.since);
  let out = items.filter(
    (item) =>
      (!filter.provider || item.provider === filter.provider) &&
      (!filter.accountId || item.accountId === filter.accountId) &&
      (since === undefined || Number.isNaN(since) || Date.parse(time(item)) >= since) &&
      (filter.afterSeq === undefined ||
        !("seq" in item) ||
        (item as { seq: number }).seq > filter.afterSeq),
  );
  if (filter.limit !== undefined && out.length > filter.limit) out = out.slice(-filter.limit);
  return out;
}
