// Infobip 2FA state of one simulator: applications, their message templates, and sent PINs.

export interface TfaApplication {
  applicationId: string;
  accountId: string;
  name: string;
  enabled: boolean;
  configuration: { pinAttempts: number; allowMultiplePinVerifications: boolean; pinTimeToLiveMs: number; pinTimeToLive: string };
  templates: Map<string, TfaTemplate>;
}

export interface TfaTemplate {
  messageId: string;
  applicationId: string;
  messageText: string;
  pinLength: number;
  pinType: string;
  senderId?: string;
}

export interface TfaPin {
  pinId: string;
  applicationId: string;
  accountId: string;
  to: string;
  pin: string;
  expiresAt: number;
  attemptsRemaining: number;
  verified: boolean;
}

/** Bounded: the oldest PINs are dropped past `maxPins`. */
export class TfaStore {
  readonly apps = new Map<string, TfaApplication>();
  readonly pins = new Map<string, TfaPin>();

  constructor(private readonly maxPins: number) {}

  savePin(pin: TfaPin) {
    this.pins.set(pin.pinId, pin);
    while (this.pins.size > this.maxPins) {
      const oldest = this.pins.keys().next();
      if (oldest.done) break;
      this.pins.delete(oldest.value);
    }
  }

  clear() {
    this.apps.clear();
    this.pins.clear();
  }
}
