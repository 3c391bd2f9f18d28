// "Send test" on a provider config: who receives the test message.
import { z } from "zod";
import { pushPlatforms } from "./messages";

export const sendTestBody = z.strictObject({
  /** Email address, E.164 number (SMS/WhatsApp), FCM device token or OneSignal subscription id. */
  to: z.string().trim().min(1, "Give a recipient").max(4096),
  /** Push only: the device's platform (default android). */
  platform: z.enum(pushPlatforms, "The platform is ios, android or web").optional(),
  /** WhatsApp only: an approved template to use instead of a text message (business-initiated chats need one). */
  template_name: z.string().trim().min(1).max(512).optional(),
  template_language: z.string().trim().min(2).max(35).optional(),
});
export type SendTestBody = z.infer<typeof sendTestBody>;
