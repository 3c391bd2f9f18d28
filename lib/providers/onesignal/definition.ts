// OneSignal: settings, secret fields, form fields, limits and routing.
import { z } from "zod";
import { defineProvider } from "../definition";

export const onesignalDefinition = defineProvider({
  kind: "onesignal",
  label: "OneSignal",
  channel: "push",
  settings: { app_id: z.string().trim().toLowerCase().uuid("The OneSignal app id is a UUID") },
  fields: { app_id: { label: "App ID", kind: "text" } },
  defaults: {},
  credentials: { rest_api_key_ref: { label: "REST API key" } },
  derived: [],
  limits: { concurrency: 32, ratePerSecond: null },
  postsWebhooks: false,
  apiBaseUrl: "https://api.onesignal.com",
  pushAddress: "player_id",
  routing: {
    order: 1,
    describe: "OneSignal for player ids",
    cannotServe: (_s, a) => (a.pushTarget && !a.pushTarget.playerId ? "OneSignal needs a player id" : null),
  },
});
