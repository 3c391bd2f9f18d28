/** The OTP clock: expiry and resend decisions read it, so tests can move time forward. */
let offsetMs = 0;

export function otpNow(): Date {
  return new Date(Date.now() + offsetMs);
}

/** Tests only: shifts the OTP clock (0 resets it). */
export function shiftOtpClock(ms: number) {
  offsetMs = ms;
}
