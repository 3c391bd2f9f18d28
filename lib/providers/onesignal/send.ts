// OneSignal create-notification over fetch, idempotent on Herald's provider reference.
import { deterministicUuid } from "@/lib/jobs/run-id";
import { isUuid } from "@/lib/validations/common";
import { baseUrlOf, httpError, httpRequest, needCredential, num, ProviderSendError, pushTarget, rec, str, stringValues, type ProviderAdapter } from "../adapter";

export const ONESIGNAL_MESSAGE_KEY = "herald_message_id";

/** OneSignal's idempotency_key must be a UUID; a reference that isn't one maps to a stable UUID. */
export function onesignalIdempotencyKey(reference: string): string {
  return isUuid(reference) ? reference.toLowerCase() : deterministicUuid("onesignal", reference);
}

export const onesignalAdapter: ProviderAdapter<"onesignal"> = {
  provider: "onesignal",
  async send(config, credentials, message, opts) {
    const p = message.payload;
    const target = pushTarget(message, "player_id");
    const title = str(p.title);
    const body = str(p.body) ?? "";
    const priority = str(p.priority);
    const payload: Record<string, unknown> = {
      app_id: config.settings.app_id,
      ...(target.topic ? { included_segments: [target.topic] } : { include_subscription_ids: [target.token], target_channel: "push" }),
      ...(title ? { headings: { en: title } } : {}),
      contents: { en: body },
      data: { ...stringValues(p.data), [ONESIGNAL_MESSAGE_KEY]: message.id },
      idempotency_key: onesignalIdempotencyKey(message.providerReference),
      ...(str(p.image_url) ? { big_picture: str(p.image_url), ios_attachments: { image: str(p.image_url) } } : {}),
      ...(priority ? { priority: priority === "high" ? 10 : 5 } : {}),
      ...(num(p.ttl_seconds) !== undefined ? { ttl: num(p.ttl_seconds) } : {}),
      ...(str(p.collapse_key) ? { collapse_id: str(p.collapse_key) } : {}),
      ...(num(p.badge_count) !== undefined ? { ios_badgeType: "SetTo", ios_badgeCount: num(p.badge_count) } : {}),
      ...(str(p.sound) ? { ios_sound: str(p.sound), android_sound: str(p.sound)!.replace(/\.\w+$/, "") } : {}),
      ...(str(p.click_action) ? { url: str(p.click_action) } : {}),
    };
    const answer = await httpRequest(`${baseUrlOf(config)}/notifications`, {
      method: "POST",
      headers: {
        authorization: `Key ${needCredential(credentials, "rest_api_key_ref")}`,
        "content-type": "application/json",
        accept: "application/json",
      },
      body: JSON.stringify(payload),
      timeoutMs: opts.timeoutMs,
    });
    if (answer.status < 200 || answer.status >= 300) throw httpError(answer);
    const r = rec(answer.body);
    const id = str(r?.id);
    const errors = r?.errors;
    const invalid = rec(errors)?.invalid_player_ids ?? rec(errors)?.invalid_aliases;
    const invalidList = Array.isArray(invalid) ? invalid : Object.values(rec(invalid) ?? {}).flat();
    // 200 with id "" means nothing was created; "not subscribed"/invalid ids means the player is gone.
    if (!target.topic && (invalidList.includes(target.token) || (!id && /not subscribed|invalid/i.test(JSON.stringify(errors ?? ""))))) {
      throw new ProviderSendError({ kind: "unregistered_token", code: "invalid_player_ids", httpStatus: answer.status, message: "OneSignal reports the subscription as invalid or unsubscribed" });
    }
    if (!id) {
      throw new ProviderSendError({
        kind: "rejected",
        code: "no_recipients",
        httpStatus: answer.status,
        message: Array.isArray(errors) && typeof errors[0] === "string" ? errors[0] : "OneSignal created no notification",
      });
    }
    return { providerMessageId: id, status: "accepted" };
  },
};
