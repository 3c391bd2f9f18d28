/** Kommo refused the grant (401, or a refresh token it no longer accepts): the integration goes to `error`. */
export class KommoGrantRevokedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KommoGrantRevokedError";
  }
}

/** A call that may succeed later (429, 5xx, network): the workflow retries with backoff. */
export class IntegrationTransientError extends Error {
  constructor(message: string, opts?: { cause?: unknown }) {
    super(message, opts);
    this.name = "IntegrationTransientError";
  }
}

/** A refusal that a retry cannot fix (bad request, invalid Unisender key). */
export class IntegrationPermanentError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = "IntegrationPermanentError";
  }
}
