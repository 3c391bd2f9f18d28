import { Inngest } from "inngest";

/** The one Inngest client. Used only when an Inngest server is configured (see lib/jobs/engine-kind.ts). */
export const inngest = new Inngest({
  id: "herald",
  eventKey: process.env.INNGEST_EVENT_KEY,
});
