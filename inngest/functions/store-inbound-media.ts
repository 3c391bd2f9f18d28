import { errorText } from "@/lib/logger";
import { defineWorkflow } from "@/lib/jobs/workflow";
import { failInboundMedia, storeInboundMedia } from "@/lib/media/inbound";

/**
 * StoreInboundMedia: downloads the file of an inbound message (WhatsApp image, document …) from
 * the provider into Herald's storage and links it to the message. The provider keeps it for days,
 * so retries wait out an outage; a file the provider no longer has ends `failed`, as does the
 * media when the last attempt fails.
 */
export const storeInboundMediaWorkflow = defineWorkflow({
  id: "store-inbound-media",
  name: "Store inbound media",
  event: "herald/inbound-media.received",
  retries: 8,
  concurrency: 4,
  timeoutSeconds: 300,
  handler: async ({ event, step }) => step.run("download", () => storeInboundMedia(event.data)),
  onFailure: ({ event, error, attempts }) => failInboundMedia({ ...event.data, reason: `download failed after ${attempts} attempts: ${errorText(error)}` }),
});
