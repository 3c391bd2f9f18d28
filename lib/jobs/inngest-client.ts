import { Inngest } from "inngest";

/** The one Inngest client. Used only when an Inngest server is configured (see engine-kind.ts); in lib/ so the engine starter needs nothing from inngest/. */
export const inngest = new Inngest({
  id: "herald",
  eventKey: process.env.INNGEST_EVENT_KEY,
});
